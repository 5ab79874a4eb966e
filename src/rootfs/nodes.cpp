// Device nodes, symlinks and masks inside the container's root.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>

#include "rootfs/exec.hpp"
#include "rootfs/safe_path.hpp"

namespace kiste::rootfs {

namespace {

// The directory that holds `target`, created where missing.
Result<UniqueFd> parent_of(ExecContext& c, const std::string& parent) {
    if (parent.empty()) return open_in_root(c.sys, c.root.get(), "");
    return with_context(create_in_root(c.sys, c.root.get(), parent, MountEntry::Create::Dir),
                        "creating /{}", parent);
}

// The device cgroup decides over mknod too ('m'): a config that allows
// only some devices (the talk's `devices.deny = a`, then a few allows)
// denies the nodes it leaves out with EPERM. As LXC does, the host's node
// is bound instead; opening it stays denied (the cgroup checks every open).
Status bind_host_node(ExecContext& c, const MountOp& op, const Error& denied) {
    const bool device = S_ISCHR(op.mode) || S_ISBLK(op.mode);
    if (!device || op.source.empty()) return fail(Error(denied));
    auto host = c.sys.open(op.source.c_str(), O_PATH | O_CLOEXEC, 0);
    if (!host)
        return fail(Error(denied.code(),
                          fmt::format("{}; the host's {} cannot stand in: {}",
                                      denied.message(false), op.source, host.error().message())));
    const struct stat st = KISTE_TRY(c.sys.fstatat(host->get(), ""));
    if ((st.st_mode & S_IFMT) != (op.mode & S_IFMT) || st.st_rdev != op.dev)
        return fail(Error(denied.code(), fmt::format("{}; the host's {} is another device ({}:{})",
                                                     denied.message(false), op.source,
                                                     major(st.st_rdev), minor(st.st_rdev))));
    c.log.debug("mknod /{} denied ({}); binding the host's {}", op.target, denied.message(),
                op.source);
    return run_bind_device(c, op);
}

}  // namespace

Status run_mknod(ExecContext& c, const MountOp& op) {
    const auto [parent, name] = split_parent(op.target);
    UniqueFd dir = KISTE_TRY(parent_of(c, parent));
    if (auto st = c.sys.mknodat(dir.get(), name.c_str(), op.mode, op.dev); !st) {
        if (st.error().code() == EPERM) {
            dir.reset();
            return bind_host_node(c, op, st.error());
        }
        if (st.error().code() != EEXIST) return st;
        c.log.debug("/{} exists, left as it is", op.target);
        return {};
    }
    // mknod honours the umask; the mode is meant as given.
    KISTE_TRY(c.sys.fchmodat(dir.get(), name.c_str(), op.mode & 07777));
    if (op.uid != 0 || op.gid != 0)
        KISTE_TRY(c.sys.fchownat(dir.get(), name.c_str(), op.uid, op.gid));
    return {};
}

Status run_bind_device(ExecContext& c, const MountOp& op) {
    UniqueFd file =
        KISTE_TRY(create_in_root(c.sys, c.root.get(), op.target, MountEntry::Create::File, 0));
    const std::string onto = fd_path(file.get());
    return c.sys.mount(op.source.c_str(), onto.c_str(), nullptr, MS_BIND, nullptr);
}

Status run_symlink(ExecContext& c, const MountOp& op) {
    const auto [parent, name] = split_parent(op.target);
    UniqueFd dir = KISTE_TRY(parent_of(c, parent));
    if (auto st = c.sys.symlinkat(op.source.c_str(), dir.get(), name.c_str()); !st) {
        if (st.error().code() != EEXIST) return st;
        c.log.debug("/{} exists, left as it is", op.target);
    }
    return {};
}

Status run_mask(ExecContext& c, const MountOp& op) {
    auto target = open_in_root(c.sys, c.root.get(), op.target);
    if (!target) {
        if (op.missing_ok && target.error().code() == ENOENT) return {};
        return fail(std::move(target.error()).context(fmt::format("resolving /{}", op.target)));
    }
    const struct stat st = KISTE_TRY(c.sys.fstatat(target->get(), ""));
    const std::string onto = fd_path(target->get());
    if (S_ISDIR(st.st_mode))
        return c.sys.mount("tmpfs", onto.c_str(), "tmpfs",
                           MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
    // The container's /dev/null must be the null device: a rootfs could
    // offer any file there, which would then show through the mask.
    UniqueFd null = KISTE_TRY_CTX(open_in_root(c.sys, c.root.get(), "dev/null"),
                                  "opening /dev/null to mask a file");
    const struct stat nst = KISTE_TRY(c.sys.fstatat(null.get(), ""));
    if (!S_ISCHR(nst.st_mode) || nst.st_rdev != makedev(1, 3))
        return fail("/dev/null in the container is not the null device (1:3)");
    const std::string from = fd_path(null.get());
    return c.sys.mount(from.c_str(), onto.c_str(), nullptr, MS_BIND, nullptr);
}

}  // namespace kiste::rootfs
