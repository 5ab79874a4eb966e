// The order of setup() and finalize(), and mount entries as ops.
#include <sys/mount.h>

#include "rootfs/options.hpp"
#include "rootfs/rootfs.hpp"

namespace kiste::rootfs {

namespace {

constexpr unsigned long kPropagationBits = MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE;

std::string shown(const std::string& rel) {
    return "/" + rel;
}

}  // namespace

std::string describe(const MountOp& op) {
    std::string what;
    switch (op.kind) {
        case OpKind::Propagation:
            what = fmt::format("setting propagation {} on {}", mount_flags_string(op.flags),
                               op.target);
            break;
        case OpKind::BindRootfs:
            what = fmt::format("binding the rootfs {} onto {}", op.source, op.target);
            break;
        case OpKind::Mount:
            if ((op.flags & MS_REMOUNT) != 0 && op.source.empty()) {
                what =
                    fmt::format("remounting {} {}", shown(op.target), mount_flags_string(op.flags));
                break;
            }
            what =
                fmt::format("mounting {}{} on {}", op.source_in_root ? "/" : "",
                            op.source.empty() ? std::string("none") : op.source, shown(op.target));
            if (!op.fstype.empty()) what += fmt::format(" ({})", op.fstype);
            break;
        case OpKind::Mknod: what = fmt::format("creating device {}", shown(op.target)); break;
        case OpKind::BindDevice:
            what = fmt::format("binding device {} onto {}", op.source, shown(op.target));
            break;
        case OpKind::Symlink:
            what = fmt::format("linking {} -> {}", shown(op.target), op.source);
            break;
        case OpKind::Mask: what = fmt::format("masking {}", shown(op.target)); break;
        case OpKind::CgroupHook: what = "mounting the cgroup tree"; break;
        case OpKind::Hooks: what = fmt::format("running the {} hooks", op.target); break;
        case OpKind::PivotRoot: what = "switching to the rootfs"; break;
        case OpKind::RemountRootReadonly: what = "remounting / read-only"; break;
    }
    if (!op.origin.empty()) return fmt::format("mount entry at {}: {}", op.origin, what);
    return what;
}

Result<MountOp> entry_op(const MountEntry& e, const std::string& rootfs) {
    const std::string at = e.origin.empty() ? std::string("?") : e.origin;
    if (e.target.empty()) return fail("mount entry at {}: no target", at);
    MountOp op;
    op.kind = OpKind::Mount;
    op.source = e.source;
    if (e.relative_source) {
        // LXC's "relative": the source is inside the rootfs, resolved like a target.
        op.source_in_root = true;
        op.source = container_path(e.source, rootfs);
    }
    op.target = container_path(e.target, rootfs);
    op.fstype = e.fstype == "none" ? std::string() : e.fstype;
    op.flags = e.flags;
    op.propagation = e.propagation;
    op.data = e.data;
    op.optional = e.optional;
    op.create = e.create;
    op.origin = at;
    // Mounting over the container's root itself would shadow everything
    // planned so far and is never what a config means.
    if (op.target.empty()) return fail("mount entry at {}: target {} is the root", at, e.target);
    return op;
}

Result<std::vector<MountOp>> plan(const ContainerSpec& spec, const Options& opt) {
    std::vector<MountOp> ops;
    const unsigned long prop = spec.rootfs.propagation & kPropagationBits;
    const std::string rootfs = KISTE_TRY(rootfs_directory(spec.rootfs));
    const bool has_rootfs = !rootfs.empty();

    // Nothing done below may propagate to the host: the copy of a shared
    // host mount is still the host's peer until made private or slave.
    // "shared" (a new peer group) and "unbindable" come at the end: pivot_root
    // refuses a shared root, and an unbindable rootfs cannot be bound.
    const bool late_prop = prop == MS_SHARED || prop == MS_UNBINDABLE;
    const unsigned long early_prop = prop == MS_SLAVE ? MS_SLAVE : MS_PRIVATE;
    ops.push_back(
        MountOp{.kind = OpKind::Propagation, .target = "/", .flags = MS_REC | early_prop});
    // The hooks of the mount namespace (their order is LXC's, see src/hooks/hooks.hpp).
    auto hooks = [&ops](const std::vector<Hook>& list, const char* type) {
        if (!list.empty()) ops.push_back(MountOp{.kind = OpKind::Hooks, .target = type});
    };
    hooks(spec.hooks.pre_mount, "pre-mount");

    if (has_rootfs) {
        MountOp bind{.kind = OpKind::BindRootfs, .source = rootfs, .target = rootfs};
        if (!spec.rootfs.mount.empty()) {
            if (!spec.rootfs.mount.starts_with('/'))
                return fail("rootfs.mount {}: not an absolute path", spec.rootfs.mount);
            bind.target = "/" + container_path(spec.rootfs.mount);
        }
        MountOptions mo = KISTE_TRY_CTX(parse_mount_options(spec.rootfs.options),
                                        "rootfs.options {}", spec.rootfs.options);
        bind.flags = mo.flags & ~(MS_BIND | MS_REC);
        ops.push_back(bind);
        // /dev first, so that mount entries can add to it or cover its parts.
        if (spec.dev.autodev) append_dev_ops(spec, opt, ops);
        append_extra_dev_ops(spec, opt, ops);
    }

    append_proc_sys_ops(spec, opt, ops);
    if (spec.auto_mounts.cgroup != AutoMounts::Cgroup::None)
        ops.push_back(MountOp{.kind = OpKind::CgroupHook, .target = "sys/fs/cgroup"});

    for (const MountEntry& e : spec.mounts) ops.push_back(KISTE_TRY(entry_op(e, rootfs)));

    hooks(spec.hooks.mount, "mount");
    if (has_rootfs && spec.dev.autodev) hooks(spec.hooks.autodev, "autodev");
    if (has_rootfs) ops.push_back(MountOp{.kind = OpKind::PivotRoot});
    if (late_prop)
        ops.push_back(MountOp{.kind = OpKind::Propagation, .target = "/", .flags = MS_REC | prop});
    return ops;
}

Result<std::vector<MountOp>> plan_finalize(const ContainerSpec& spec, const Options& opt) {
    std::vector<MountOp> ops;
    append_proc_mixed_ops(spec, opt, ops);
    for (const std::string& p : spec.security.paths.readonly) {
        MountOp op{.kind = OpKind::Mount, .source_in_root = true};
        op.target = container_path(p);
        if (op.target.empty()) return fail("readonly path {}: is the root", p);
        op.source = op.target;
        op.flags = MS_BIND | MS_REC | MS_RDONLY;
        op.missing_ok = true;
        ops.push_back(op);
    }
    for (const std::string& p : spec.security.paths.masked) {
        MountOp op{.kind = OpKind::Mask, .target = container_path(p), .missing_ok = true};
        if (op.target.empty()) return fail("masked path {}: is the root", p);
        ops.push_back(op);
    }
    if (spec.rootfs.readonly) ops.push_back(MountOp{.kind = OpKind::RemountRootReadonly});
    return ops;
}

}  // namespace kiste::rootfs
