// The parent's side while the attached command runs: signal forwarding and,
// with a pty, the relay between the user's terminal and the pty master.
#pragma once

#include "base/child_guard.hpp"
#include "base/log.hpp"
#include "kiste/error.hpp"

namespace kiste::attach {

// The signals kiste takes through a signalfd while attached. Blocked before
// the helpers are forked; the attached process restores the old mask.
const sigset_t& session_signals();

// Forwards `signo` (sent with si_code `code`) to the attached process unless
// it needs no forwarding (see attach.hpp). Pure decision, for tests.
bool should_forward(int signo, int code, bool pty);

// Waits for the attached process, forwarding signals from `sigfd`; with a
// master (>= 0) it also relays stdin -> master and master -> stdout and
// follows the window size. Returns the process's exit status.
Result<ExitStatus> supervise(ChildGuard& attached, int sigfd, int master, const Logger& log);

}  // namespace kiste::attach
