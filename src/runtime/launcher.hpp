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
#include "cgroup/cgroup.hpp"
#include "hooks/hooks.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::runtime {

struct LaunchOptions {
    // kiste-init, sealed (see init_image.hpp); when valid and
    // spec.process.use_init is set, the container's PID 1 is that init and
    // process.args run as its child.
    int init_image_fd = -1;
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
    // A net namespace made ahead (ns::NetNsAhead) that the child joins
    // instead of a new one from clone3; -1 for none.
    int net_ns_fd = -1;
    // A cgroup v2 directory to clone into (CLONE_INTO_CGROUP); -1 for none.
    int cgroup_fd = -1;
    // cgroup v1 `tasks` files (fd, dir for messages) the child writes "0" to
    // before anything else (see CgroupEntry).
    std::vector<std::pair<int, std::string>> cgroup_tasks;
    // The late way (see CgroupEntry): runs in the parent while the child
    // sets itself up, makes the v1 cgroups and returns an fd of each one's
    // `tasks` file; they travel to the child, which writes "0" to each
    // before it takes its credentials.
    std::function<Result<std::vector<UniqueFd>>()> make_late_cgroups;
    // Their dirs, in the order of those fds (for error messages).
    std::vector<std::string> late_cgroup_dirs;
    // Runs in the parent after the clone, before the child continues:
    // host-side network devices.
    std::function<Status(pid_t)> before_mapped;
    // Runs in the parent when the child is READY, before it executes (state,
    // hooks). Unset, the child does not wait for GO: one round trip less.
    std::function<Status(pid_t)> before_go;
    // The exec gate (lifecycle/container.hpp): an fd of a FIFO that the
    // child, as its last step before execve, reads one byte from (blocking
    // until `start` writes it). launch() then returns once the child waits
    // there, and the child outlives its parent (no parent-death signal).
    int exec_gate_fd = -1;
};

// How a container's init enters its cgroups without its parent writing the
// pid to cgroup.procs: that write takes the kernel's global threadgroup lock,
// which waits for an RCU grace period (~10 ms) unless another migration ran
// just before, and would be half of `kiste execute`'s time. Instead the init is
// cloned straight into the v2 directory (CLONE_INTO_CGROUP, on a hybrid host
// too) and writes "0" to each v1 hierarchy's `tasks` itself: moving only the
// calling thread needs no such lock, and the fresh child has one thread.
//
// The late way, for `kiste execute` of a container without a user namespace
// and without cgroup mounts inside: only the v2 cgroup exists at the clone;
// the v1 ones (nine mkdirs on a hybrid host) are made by the parent while
// the child mounts its rootfs on the other CPU; the parent sends an fd of
// each `tasks` file (opening them would be a third of the child's joins), and
// the child joins them, and only then unshares its cgroup namespace, before
// it drops its credentials. (Without a user namespace the child may write
// to the files; cgroup mounts inside need the cgroup namespace earlier.)
struct CgroupEntry {
    UniqueFd v2_dir;
    std::vector<std::pair<UniqueFd, std::string>> v1_tasks;
    std::vector<std::string> v1_late_dirs;  // the late way: in open_late_tasks()'s order
    // Points `opt` at the fds (valid while this object lives).
    void use_in(LaunchOptions& opt) const;
};
// `late`: the v1 cgroups are not made yet (only create_v2() ran).
Result<CgroupEntry> open_cgroup_entry(const cgroup::Manager& m, bool late = false);
// Whether `spec` can take the late way.
bool late_cgroup_entry_possible(const ContainerSpec& spec);
// The late way, once the v1 cgroups exist: an fd of each one's `tasks`.
Result<std::vector<UniqueFd>> open_late_tasks(const cgroup::Manager& m);

// A fork whose child starts in the cgroup v2 directory `cgroup_fd` (clone3
// CLONE_INTO_CGROUP; see CgroupEntry for why). Returns the pid, 0 in the
// child; the parent gets the child's pidfd in `pidfd`. Fails with the
// kernel's errno (EBUSY: controllers enabled below) without a child; callers
// then fork. The child must not raise() or abort(): after a raw clone3,
// glibc's cached thread id is the parent's.
Result<pid_t> fork_into_cgroup(int cgroup_fd, UniqueFd& pidfd);

// A started container: its PID 1 on the host, owned by the guard, and what
// its stop and post-stop hooks will need (hooks::run_stop_hooks).
struct Launched {
    ChildGuard init;
    hooks::ContainerRefs hook_refs{};
};

// Starts the container; returns once its PID 1 has executed the payload (or
// kiste-init). On failure nothing is left running. Runs the container's
// pre-start, start-host and (in the child) pre-mount, mount, autodev and
// start hooks at their moments (see hooks/hooks.hpp).
Result<Launched> launch(const ContainerSpec& spec, const LaunchOptions& opt, Logger& log);

}  // namespace kiste::runtime
