// The container's file system: rootfs, mounts, /dev, pivot_root, and the
// read-only/masked paths. The launcher calls setup() inside the cloned child
// (in its new mount namespace, uid/gid maps written, as the container's root,
// capabilities not yet dropped), writes sysctls, then calls finalize().
//
// setup() with a rootfs:                    setup() without (application container):
//   / recursively private (rootfs.propagation)  / recursively private
//   [pre-mount hooks]                           [pre-mount hooks]
//   bind the rootfs onto itself (+ options)     a fresh /proc when the pid ns is new
//   /dev tmpfs + nodes, devpts, shm, links      lxc.mount.auto proc/sys
//   lxc.mount.auto proc/sys (cgroup: hook)      mount entries (resolved under "/")
//   mount entries, in config order              [mount hooks]
//   [mount hooks; autodev hooks with lxc.autodev]
//   pivot_root(".", ".") + umount2(".", MNT_DETACH); chdir("/")
// finalize():
//   proc:mixed read-only /proc/sys (net kept writable with an own net ns and
//   CAP_NET_ADMIN) and /proc/sysrq-trigger; readonly paths; masked paths;
//   lxc.rootfs read-only remount.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/sys.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"
#include "rootfs/plan.hpp"

namespace kiste::rootfs {

struct Options {
    bool in_user_ns = false;   // mknod is impossible: bind-mount host device nodes instead
    bool new_pid_ns = true;    // mount a fresh /proc
    bool new_net_ns = true;    // sysfs may be mounted fresh only with an own net ns
    int console_fd = -1;       // if >=0: bind /proc/self/fd/N (a tty/pty) onto /dev/console
    std::vector<int> tty_fds;  // pty slaves bound onto /dev/tty1..N (lxc.tty.max)
    // The rootfs (and its lxc.rootfs.mount stage, or -1), opened for the
    // child by its parent (open_rootfs_for_child); -1: the child opens them.
    int rootfs_fd = -1;
    int rootfs_stage_fd = -1;
    // Runs the container's hooks of a type (the plan's Hooks ops); unset: skipped.
    std::function<Status(const std::string& type)> run_hooks;
};

// A container in a user namespace may not be able to reach its own rootfs:
// its root is an unprivileged host uid, and container storage commonly lies
// below 0700 directories (podman's, or a `mktemp -d`). The parent (host
// root) opens the rootfs, and the lxc.rootfs.mount stage when there is one,
// inside the child's new mount namespace (through /proc/PID/root, absolute
// symlinks resolved in it); the child clones that tree and moves it onto
// itself (open_tree + move_mount), without walking the path. Empty when
// the spec needs no such help (no rootfs, no new user or mount namespace).
struct RootfsForChild {
    UniqueFd rootfs;
    UniqueFd stage;  // invalid without lxc.rootfs.mount
};
bool rootfs_needs_parent(const ContainerSpec& spec);
Result<RootfsForChild> open_rootfs_for_child(const ContainerSpec& spec, pid_t child);

// The ordered ops of setup() (pure: unit-testable). Fails on a bad rootfs
// path or a mount entry without a target, naming it.
Result<std::vector<MountOp>> plan(const ContainerSpec& spec, const Options& opt);
// The ordered ops of finalize() (pure).
Result<std::vector<MountOp>> plan_finalize(const ContainerSpec& spec, const Options& opt);

// Executes plan(): ends inside the rootfs (pivot_root, cwd "/"), or for an
// application container in a private mount namespace with a fresh /proc.
Status setup(const ContainerSpec& spec, const Options& opt, Sys& sys, Logger& log);
// Executes plan_finalize(); call it after the sysctls were written.
Status finalize(const ContainerSpec& spec, const Options& opt, Sys& sys, Logger& log);
// The same, logging warnings to stderr.
Status finalize(const ContainerSpec& spec, const Options& opt, Sys& sys);

// Executes ops (exposed for tests). `root` is an O_PATH fd of the container's
// root, or invalid until a BindRootfs op sets it.
Status execute(const std::vector<MountOp>& ops, const Options& opt, Sys& sys, Logger& log,
               UniqueFd root);

}  // namespace kiste::rootfs
