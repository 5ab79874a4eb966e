// setup() and finalize(): plan, then execute op by op.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>

#include "rootfs/cgroup_mounts.hpp"
#include "rootfs/exec.hpp"
#include "rootfs/options.hpp"
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
            c.log.debug("the cgroup tree: not expanded, skipped");
            return {};
        case OpKind::Hooks:
            if (!c.opt.run_hooks) {
                c.log.debug("{}: no hook runner, skipped", describe(op));
                return {};
            }
            return c.opt.run_hooks(op.target);
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
                                op.kind != OpKind::CgroupHook && op.kind != OpKind::Hooks &&
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

bool rootfs_needs_parent(const ContainerSpec& spec) {
    return !spec.rootfs.path.empty() && spec.ns_new(NsKind::User) && spec.ns_new(NsKind::Mount);
}

Result<RootfsForChild> open_rootfs_for_child(const ContainerSpec& spec, pid_t child) {
    RootfsForChild out;
    if (!rootfs_needs_parent(spec)) return out;
    const std::string rootfs = KISTE_TRY(rootfs_directory(spec.rootfs));
    const std::string proc_root = fmt::format("/proc/{}/root", child);
    UniqueFd root(::open(proc_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return fail_errno("opening {} (the container's mount namespace)", proc_root);
    auto open_dir = [&](const std::string& path, const char* what) -> Result<UniqueFd> {
        open_how how{};
        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
        const std::string rel = container_path(path);
        const long fd =
            ::syscall(SYS_openat2, root.get(), rel.empty() ? "." : rel.c_str(), &how, sizeof how);
        if (fd < 0) {
            const int e = errno;
            if (e == ENOENT)
                return fail(Error(e, fmt::format("the {} {} does not exist", what, path)));
            return fail(Error::from_errno(e, fmt::format("opening the {} {}", what, path)));
        }
        return UniqueFd(static_cast<int>(fd));
    };
    out.rootfs = KISTE_TRY(open_dir(rootfs, "rootfs"));
    if (!spec.rootfs.mount.empty()) {
        if (!spec.rootfs.mount.starts_with('/'))
            return fail("rootfs.mount {}: not an absolute path", spec.rootfs.mount);
        out.stage = KISTE_TRY(open_dir(spec.rootfs.mount, "rootfs.mount"));
    }
    return out;
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
