// Mounts inside the container's root: generic mounts (mount entries, auto
// mounts, /dev parts), the rootfs bind and the final read-only remount.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>

#include "rootfs/exec.hpp"
#include "rootfs/safe_path.hpp"

namespace kiste::rootfs {

namespace {

constexpr unsigned long kAtime = MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
// What a bind mount cannot set in its first call: a remount applies these.
constexpr unsigned long kRemountable = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | kAtime;

bool skip_missing(ExecContext& c, const MountOp& op, const Error& e, std::string_view what) {
    if (!op.missing_ok || e.code() != ENOENT) return false;
    c.log.debug("{}: /{} does not exist, skipped", describe(op), what);
    return true;
}

Status remount_bind(Sys& sys, int fd, unsigned long flags) {
    const unsigned long keep = KISTE_TRY(kept_flags(sys, fd, flags));
    const std::string p = fd_path(fd);
    return sys.mount(nullptr, p.c_str(), nullptr,
                     MS_REMOUNT | MS_BIND | (flags & kRemountable) | keep, nullptr);
}

}  // namespace

Result<unsigned long> kept_flags(Sys& sys, int fd, unsigned long asked) {
    const struct statvfs st = KISTE_TRY(sys.fstatvfs(fd));
    unsigned long keep = 0;
    if (st.f_flag & ST_RDONLY) keep |= MS_RDONLY;
    if (st.f_flag & ST_NOSUID) keep |= MS_NOSUID;
    if (st.f_flag & ST_NODEV) keep |= MS_NODEV;
    if (st.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
    if ((asked & kAtime) == 0) {
        if (st.f_flag & ST_NOATIME) keep |= MS_NOATIME;
        if (st.f_flag & ST_NODIRATIME) keep |= MS_NODIRATIME;
        if (st.f_flag & ST_RELATIME) keep |= MS_RELATIME;
    }
    return keep;
}

Status run_mount(ExecContext& c, const MountOp& op) {
    auto target = op.create == MountEntry::Create::None
                      ? open_in_root(c.sys, c.root.get(), op.target)
                      : create_in_root(c.sys, c.root.get(), op.target, op.create);
    if (!target) {
        if (skip_missing(c, op, target.error(), op.target)) return {};
        return fail(std::move(target.error()).context(fmt::format("resolving /{}", op.target)));
    }

    std::string source = op.source;
    UniqueFd source_fd;
    if (op.source_in_root) {
        auto s = open_in_root(c.sys, c.root.get(), op.source);
        if (!s) {
            if (skip_missing(c, op, s.error(), op.source)) return {};
            return fail(std::move(s.error()).context(fmt::format("resolving /{}", op.source)));
        }
        source_fd = std::move(*s);
        source = fd_path(source_fd.get());
    }

    const bool bind = (op.flags & MS_BIND) != 0 && (op.flags & MS_REMOUNT) == 0;
    unsigned long first = bind ? (op.flags & (MS_BIND | MS_REC)) : op.flags;
    // An explicit bind remount states read-only or not itself; the other
    // per-mount flags are kept as they are.
    if ((op.flags & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND))
        first |= KISTE_TRY(kept_flags(c.sys, target->get(), op.flags)) & ~MS_RDONLY;
    const std::string target_path = fd_path(target->get());
    KISTE_TRY(c.sys.mount(cstr_or_null(source), target_path.c_str(), cstr_or_null(op.fstype), first,
                          bind ? nullptr : cstr_or_null(op.data)));

    const bool remount = bind && (op.flags & kRemountable) != 0;
    if (!remount && op.propagation == 0) return {};
    // The fd above names the directory now covered; the new mount is what
    // a fresh resolution of the same path reaches.
    UniqueFd top = KISTE_TRY_CTX(open_in_root(c.sys, c.root.get(), op.target),
                                 "resolving /{} after mounting it", op.target);
    if (remount)
        KISTE_TRY_CTX(remount_bind(c.sys, top.get(), op.flags), "remounting /{} {}", op.target,
                      (op.flags & MS_RDONLY) ? "read-only" : "with its flags");
    if (op.propagation != 0) {
        const std::string p = fd_path(top.get());
        KISTE_TRY_CTX(c.sys.mount(nullptr, p.c_str(), nullptr, op.propagation, nullptr),
                      "setting the propagation of /{}", op.target);
    }
    return {};
}

namespace {

// The rootfs the parent opened (RootfsForChild): the clone of its tree is
// moved onto the stage or onto itself; the clone's fd is the new root.
Status bind_handed_rootfs(ExecContext& c, const MountOp& op) {
    const int onto = c.opt.rootfs_stage_fd >= 0 ? c.opt.rootfs_stage_fd : c.opt.rootfs_fd;
    UniqueFd tree =
        KISTE_TRY_CTX(c.sys.clone_tree(c.opt.rootfs_fd), "cloning the rootfs {}", op.source);
    KISTE_TRY_CTX(c.sys.move_mount(tree.get(), onto), "mounting the rootfs onto {}", op.target);
    if ((op.flags & kRemountable) != 0)
        KISTE_TRY_CTX(remount_bind(c.sys, tree.get(), op.flags), "applying rootfs.options");
    c.root = std::move(tree);
    return {};
}

}  // namespace

Status run_bind_rootfs(ExecContext& c, const MountOp& op) {
    if (c.opt.rootfs_fd >= 0) return bind_handed_rootfs(c, op);
    constexpr int kDir = O_PATH | O_DIRECTORY | O_CLOEXEC;
    auto src = c.sys.open(op.source.c_str(), kDir, 0);
    if (!src) {
        const int e = src.error().code();
        if (e == ENOENT)
            return fail(Error(e, fmt::format("the rootfs {} does not exist", op.source)));
        if (e == ENOTDIR) return fail("the rootfs {} is not a directory", op.source);
        return fail(
            std::move(src.error()).context(fmt::format("opening the rootfs {}", op.source)));
    }
    UniqueFd stage;
    if (op.target != op.source) {
        auto t = c.sys.open(op.target.c_str(), kDir, 0);
        if (!t)
            return fail(std::move(t.error()).context(fmt::format("rootfs.mount {}", op.target)));
        stage = std::move(*t);
    }
    const std::string from = fd_path(src->get());
    const std::string onto = stage.valid() ? fd_path(stage.get()) : from;
    KISTE_TRY(c.sys.mount(from.c_str(), onto.c_str(), nullptr, MS_BIND | MS_REC, nullptr));
    stage.reset();
    src->reset();

    // Opened after the bind, so the root is the new mount, not the directory below it.
    UniqueFd root = KISTE_TRY(c.sys.open(op.target.c_str(), kDir, 0));
    if ((op.flags & kRemountable) != 0)
        KISTE_TRY_CTX(remount_bind(c.sys, root.get(), op.flags), "applying rootfs.options");
    c.root = std::move(root);
    return {};
}

Status run_remount_root_readonly(ExecContext& c, const MountOp& /*op*/) {
    UniqueFd root = KISTE_TRY(c.sys.open("/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
    const unsigned long keep = KISTE_TRY(kept_flags(c.sys, root.get(), MS_RDONLY));
    return c.sys.mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, nullptr);
}

}  // namespace kiste::rootfs
