// The launcher: turns a validated ContainerSpec into a running process tree,
// in stages with the child over one typed channel (see channel.hpp).
#pragma once

#include <csignal>
#include <functional>
#include <string>
#include <vector>

#include "base/child_guard.hpp"
#include "base/log.hpp"
#include "base/unique_fd.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::runtime {

struct LaunchOptions {
    // A sealed memfd holding kiste-init (see init_image.hpp); when valid and
    // spec.process.use_init is set, the container's PID 1 is that init and
    // process.args run as its child.
    int init_memfd = -1;
    // Signals the parent keeps blocked for its own signalfd; the child
    // unblocks them before exec.
    sigset_t parent_blocked{};
    // A terminal (or pty) to bind onto /dev/console; -1 for none.
    int console_fd = -1;
    // pty slaves bound onto /dev/tty1..N.
    std::vector<int> tty_fds;
    // When >= 0, PID 1's stdin/stdout/stderr and controlling terminal (a
    // system container's init talks to its console).
    int stdio_fd = -1;
    // A cgroup v2 directory to clone into (CLONE_INTO_CGROUP); -1 for none.
    int cgroup_fd = -1;
    // Runs in the parent after the clone, before the child continues: v1
    // cgroup attach, host-side network devices.
    std::function<Status(pid_t)> before_mapped;
};

// A started container: its PID 1 on the host, owned by the guard.
struct Launched {
    ChildGuard init;
};

// Starts the container; returns once its PID 1 has executed the payload (or
// kiste-init). On failure nothing is left running.
Result<Launched> launch(const ContainerSpec& spec, const LaunchOptions& opt, Logger& log);

}  // namespace kiste::runtime
