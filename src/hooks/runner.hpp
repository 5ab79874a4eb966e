// The hook runner: one hook, run to completion or killed. Every hook of every
// face goes through it (LXC's lxc.hook.*, OCI's hooks):
//   - the program gets its arguments and environment, and `input` on stdin
//     (OCI: the state JSON; empty: EOF at once, never the caller's terminal);
//   - it runs in a process group of its own; after `timeout` the group is
//     killed (SIGKILL) and the hook reaped: a hook can never hang kiste;
//   - its stdout and stderr go to kiste's log (info; on failure at error
//     level, so that the reason is seen);
//   - a failure is an error "hook NAME (ORIGIN) exited with status N".
// The child is started with clone3 and owned by a ChildGuard; the waits poll
// its pidfd. Safe to call in the launcher's child (single-threaded, after a
// raw clone3): the hook's process does nothing but system calls before exec.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::hooks {

struct Invocation {
    std::vector<std::string> args;  // appended to the hook's own argv
    std::vector<std::string> env;   // the whole environment ("K=V"); Hook::env is added
    std::string input;              // written to the hook's stdin
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
};

// "hook /usr/share/lxcfs/lxc.mount.hook (lxc.hook.mount, c1.conf:3)".
std::string describe(const Hook& hook);

Status run_hook(const Hook& hook, const Invocation& inv, Logger& log);

}  // namespace kiste::hooks
