// lxc.mount.auto proc:* and sys:* (what LXC's lxc_mount_auto_mounts does,
// without its staging directories).
#include <linux/capability.h>
#include <sys/mount.h>

#include "rootfs/rootfs.hpp"

namespace kiste::rootfs {

namespace {

constexpr unsigned long kSafe = MS_NOSUID | MS_NODEV | MS_NOEXEC;

MountOp fresh(std::string source, std::string target, std::string fstype, unsigned long flags) {
    return MountOp{.kind = OpKind::Mount,
                   .source = std::move(source),
                   .target = std::move(target),
                   .fstype = std::move(fstype),
                   .flags = flags,
                   .create = MountEntry::Create::Dir};
}

// A bind of `path` inside the root onto itself (ro etc. applied by a remount).
MountOp self_bind(std::string path, unsigned long flags) {
    return MountOp{.kind = OpKind::Mount,
                   .source = path,
                   .source_in_root = true,
                   .target = path,
                   .flags = MS_BIND | flags};
}

// Makes the mount at `path` read-only; the mounts on top of it keep theirs.
// (mount flags are per mount: a writable bind below stays writable.)
MountOp remount_ro(std::string path) {
    return MountOp{.kind = OpKind::Mount,
                   .target = std::move(path),
                   .flags = MS_REMOUNT | MS_BIND | MS_RDONLY | kSafe};
}

}  // namespace

void append_proc_sys_ops(const ContainerSpec& spec, const Options& opt, std::vector<MountOp>& ops) {
    const AutoMounts& am = spec.auto_mounts;
    // An application container keeps the host's /proc unless its pid
    // namespace is new: then the host's /proc would show the host's pids.
    const bool app = spec.rootfs.path.empty();
    if (am.proc != AutoMounts::Proc::None || (app && opt.new_pid_ns))
        ops.push_back(fresh("proc", "proc", "proc", kSafe));

    if (am.sys == AutoMounts::Sys::None) return;
    if (!opt.new_net_ns) {
        // sysfs shows the net devices of the mounter's net namespace and
        // may be mounted fresh only from an own one: bind the host's, like
        // LXC. Not recursive (the host's cgroup and other mounts below /sys
        // stay out), except in a user namespace, where the kernel refuses to
        // uncover the locked mounts beneath.
        unsigned long flags = MS_BIND | (opt.in_user_ns ? MS_REC : 0);
        if (am.sys != AutoMounts::Sys::Rw) flags |= MS_RDONLY | kSafe;
        MountOp op = fresh("/sys", "sys", "", flags);
        ops.push_back(op);
        return;
    }
    switch (am.sys) {
        case AutoMounts::Sys::Rw: ops.push_back(fresh("sysfs", "sys", "sysfs", kSafe)); break;
        case AutoMounts::Sys::Ro:
            ops.push_back(fresh("sysfs", "sys", "sysfs", kSafe | MS_RDONLY));
            break;
        case AutoMounts::Sys::Mixed: {
            // Read-only sysfs with the container's own net devices writable:
            // a writable bind of the net part onto itself, then the sysfs
            // mount below it made read-only. No staging directory, nothing
            // writable left hidden underneath.
            ops.push_back(fresh("sysfs", "sys", "sysfs", kSafe));
            MountOp net = self_bind("sys/devices/virtual/net", 0);
            net.missing_ok = true;
            ops.push_back(net);
            ops.push_back(remount_ro("sys"));
            break;
        }
        case AutoMounts::Sys::None: break;
    }
}

void append_proc_mixed_ops(const ContainerSpec& spec, const Options& opt,
                           std::vector<MountOp>& ops) {
    if (spec.auto_mounts.proc != AutoMounts::Proc::Mixed) return;
    // /proc/sys/net shows the sysctls of the reader's net namespace: writable
    // only when that is the container's own and it keeps CAP_NET_ADMIN (LXC
    // checks only the capability, which would hand out the host's).
    // As for sys:mixed: a bind of /proc/sys, a writable bind of net on it,
    // then the /proc/sys bind made read-only.
    const auto& caps = spec.security.caps;
    const bool net_admin = !caps || (caps->bounding & (1ULL << CAP_NET_ADMIN)) != 0;
    ops.push_back(self_bind("proc/sys", 0));
    if (opt.new_net_ns && net_admin) {
        MountOp net = self_bind("proc/sys/net", 0);
        net.missing_ok = true;
        ops.push_back(net);
    }
    ops.push_back(remount_ro("proc/sys"));
    // sysrq-trigger reaches the host's kernel: `echo b` would reboot it.
    MountOp sysrq = self_bind("proc/sysrq-trigger", MS_RDONLY | kSafe);
    sysrq.missing_ok = true;  // a kernel without CONFIG_MAGIC_SYSRQ
    ops.push_back(sysrq);
}

}  // namespace kiste::rootfs
