// The mount plan: what setup() and finalize() do, as data (bubblewrap's
// SetupOp, design.md example 10). Building it is pure, so unit tests read the
// plan; executing it goes through the Sys seam.
//
// Paths of ops that act inside the container ("Mount", "Mknod", ...) are
// relative to the container's root ("" is the root itself) and are resolved
// at execution with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so no
// symlink in the rootfs leads a mount out of it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::rootfs {

struct Options;

enum class OpKind {
    // mount(NULL, target, NULL, flags): propagation of a host path ("/").
    Propagation,
    // Bind the host directory `source` recursively onto `target` (the same
    // path, or lxc.rootfs.mount) and make that mount the container's root;
    // `flags` (MS_RDONLY, MS_NOSUID, ...) are applied by a bind remount.
    BindRootfs,
    // A mount inside the root: mount(source, target, fstype, flags, data).
    // `source` is a host path or a filesystem name, or with source_in_root a
    // path inside the root. For binds the flags other than MS_BIND|MS_REC are
    // applied by a second, remount call; `propagation` by a third.
    Mount,
    // mknod `target` (mode includes S_IFCHR/S_IFBLK/S_IFIFO), then chmod/chown.
    Mknod,
    // In a user namespace (no mknod): an empty file at `target` with the
    // host's node `source` bound onto it.
    BindDevice,
    // symlink `target` -> `source`, unless `target` exists.
    Symlink,
    // Hide `target`: /dev/null bound over a file, an empty read-only tmpfs
    // over a directory (OCI maskedPaths).
    Mask,
    // The container's cgroup tree at /sys/fs/cgroup (AutoMounts::cgroup). It
    // stands in the plan for mounts that depend on the cgroup namespace the
    // child is in, so the plan stays pure: setup() expands it in the child
    // (expand_cgroup_hook); a plan executed on its own only logs it.
    CgroupHook,
    // The container's hooks of the type named in `target` ("pre-mount",
    // "mount", "autodev"): Options::run_hooks runs them.
    Hooks,
    // pivot_root into the root (chroot where pivot_root cannot work).
    PivotRoot,
    // Remount the process's "/" read-only (lxc.rootfs.options ro at the end).
    RemountRootReadonly,
};

struct MountOp {
    OpKind kind = OpKind::Mount;
    std::string source{};
    bool source_in_root = false;
    std::string target{};
    std::string fstype{};
    unsigned long flags = 0;
    unsigned long propagation = 0;
    std::string data{};
    bool optional = false;    // a failure is logged and skipped
    bool missing_ok = false;  // a missing target (or in-root source) is skipped quietly
    MountEntry::Create create = MountEntry::Create::None;  // make a missing target
    mode_t mode = 0;                                       // Mknod
    dev_t dev = 0;                                         // Mknod
    uid_t uid = 0;                                         // Mknod
    gid_t gid = 0;                                         // Mknod
    std::string origin{};  // config file:line of a mount entry, for errors

    bool operator==(const MountOp&) const = default;
};

// One line for logs and error context: "mounting proc on /proc (proc)".
std::string describe(const MountOp& op);

// Parts of the plan, one file each (plan.cpp puts them in order).
void append_dev_ops(const ContainerSpec& spec, const Options& opt, std::vector<MountOp>& ops);
void append_extra_dev_ops(const ContainerSpec& spec, const Options& opt, std::vector<MountOp>& ops);
void append_proc_sys_ops(const ContainerSpec& spec, const Options& opt, std::vector<MountOp>& ops);
void append_proc_mixed_ops(const ContainerSpec& spec, const Options& opt,
                           std::vector<MountOp>& ops);
Result<MountOp> entry_op(const MountEntry& e, const std::string& rootfs);

}  // namespace kiste::rootfs
