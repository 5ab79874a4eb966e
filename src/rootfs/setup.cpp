// setup() and finalize(): plan, then execute op by op.
#include <fcntl.h>
#include <sys/mount.h>

#include <algorithm>

#include "rootfs/cgroup_mounts.hpp"
#include "rootfs/exec.hpp"
#include "rootfs/rootfs.hpp"

namespace kiste::rootfs {

namespace {

Status run_op(ExecContext& c, const MountOp& op) {
    switch (op.kind) {
        case OpKind::Propagation:
            return c.sys.mount(nullptr, op.target.c_str(), nullptr, op.flags, nullptr);
        case OpKind::BindRootfs: return run_bind_rootfs(c, op);
        case OpKind::Mount: return run_mount(c, op);
        case OpKind::Mknod: return run_mknod(c, op);
        case OpKind::BindDevice: return run_bind_device(c, op);
        case OpKind::Symlink: return run_symlink(c, op);
        case OpKind::Mask: return run_mask(c, op);
        case OpKind::CgroupHook:
            // setup() expands the hook into the mounts of the container's
            // cgroup tree (expand_cgroup_hook); a plan executed on its own
            // (tests) has nothing to mount it from.
            c.log.debug("lxc.mount.auto cgroup: not expanded, skipped");
            return {};
        case OpKind::PivotRoot: return run_pivot_root(c, op);
        case OpKind::RemountRootReadonly: return run_remount_root_readonly(c, op);
    }
    return fail("unknown mount op");
}

// The hook becomes the mounts of the container's cgroup tree, read here (in
// the child, inside its cgroup namespace): the plan stays pure.
Result<std::vector<MountOp>> expand_cgroup_hook(const ContainerSpec& spec,
                                                std::vector<MountOp> ops) {
    auto hook = std::find_if(ops.begin(), ops.end(),
                             [](const MountOp& op) { return op.kind == OpKind::CgroupHook; });
    if (hook == ops.end()) return ops;
    const CgroupTree tree = KISTE_TRY(host_cgroup_tree());
    auto mounts = KISTE_TRY(cgroup_mount_ops(spec.auto_mounts.cgroup, tree, hook->target));
    auto at = ops.erase(hook);
    ops.insert(at, mounts.begin(), mounts.end());
    return ops;
}

}  // namespace

Status execute(const std::vector<MountOp>& ops, const Options& opt, Sys& sys, Logger& log,
               UniqueFd root) {
    ExecContext c{.sys = sys, .log = log, .opt = opt, .root = std::move(root)};
    for (const MountOp& op : ops) {
        const bool needs_root = op.kind != OpKind::Propagation && op.kind != OpKind::BindRootfs &&
                                op.kind != OpKind::CgroupHook &&
                                op.kind != OpKind::RemountRootReadonly;
        if (needs_root && !c.root.valid()) return fail("{}: no root directory yet", describe(op));
        log.debug("{}", describe(op));
        auto st = run_op(c, op);
        if (st) continue;
        if (op.optional) {
            log.warn("{}: {} (optional, skipped)", describe(op), st.error().message());
            continue;
        }
        return fail(std::move(st.error()).context(describe(op)));
    }
    return {};
}

Status setup(const ContainerSpec& spec, const Options& opt, Sys& sys, Logger& log) {
    std::vector<MountOp> ops = KISTE_TRY(expand_cgroup_hook(spec, KISTE_TRY(plan(spec, opt))));
    UniqueFd root;
    // An application container's root is the host's "/": its mount entries
    // are resolved under it.
    if (spec.rootfs.path.empty())
        root = KISTE_TRY(sys.open("/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
    return execute(ops, opt, sys, log, std::move(root));
}

Status finalize(const ContainerSpec& spec, const Options& opt, Sys& sys, Logger& log) {
    std::vector<MountOp> ops = KISTE_TRY(plan_finalize(spec, opt));
    if (ops.empty()) return {};
    UniqueFd root = KISTE_TRY(sys.open("/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
    return execute(ops, opt, sys, log, std::move(root));
}

Status finalize(const ContainerSpec& spec, const Options& opt, Sys& sys) {
    Logger log(LogLevel::Warn);
    return finalize(spec, opt, sys, log);
}

}  // namespace kiste::rootfs
