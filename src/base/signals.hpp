// Signal dispositions for what kiste executes.
#pragma once

namespace kiste {

// Sets every signal that is ignored back to its default action. Ignored
// dispositions survive execve(2): a payload started from a background job
// (where the shell ignores SIGINT and SIGQUIT) or under nohup would inherit
// them, and a shell cannot trap a signal that was ignored on entry. Uses the
// raw syscall, because glibc refuses the two real-time signals it keeps for
// itself (32, 33), which a parent may have ignored too. Async-signal-safe.
void reset_ignored_signals();

}  // namespace kiste
