#include "base/sys.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace kiste {

namespace {
const char* nz(const char* s) {
    return s != nullptr ? s : "(null)";
}
}  // namespace

Status RealSys::mount(const char* source, const char* target, const char* fstype,
                      unsigned long flags, const char* data) {
    if (::mount(source, target, fstype, flags, data) < 0)
        return fail_errno("mount({}, {}, {}, {:#x})", nz(source), nz(target), nz(fstype), flags);
    return {};
}

Status RealSys::umount2(const char* target, int flags) {
    if (::umount2(target, flags) < 0) return fail_errno("umount2({})", target);
    return {};
}

Result<UniqueFd> RealSys::clone_tree(int fd) {
    const long r = ::syscall(SYS_open_tree, fd, "",
                             OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
    if (r < 0) return fail_errno("open_tree(fd {}, OPEN_TREE_CLONE|AT_RECURSIVE)", fd);
    return UniqueFd(static_cast<int>(r));
}

Status RealSys::move_mount(int from, int onto) {
    if (::syscall(SYS_move_mount, from, "", onto, "",
                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return fail_errno("move_mount(fd {} onto fd {})", from, onto);
    return {};
}

Status RealSys::pivot_root(const char* new_root, const char* put_old) {
    if (::syscall(SYS_pivot_root, new_root, put_old) < 0)
        return fail_errno("pivot_root({}, {})", new_root, put_old);
    return {};
}

Status RealSys::chroot(const char* path) {
    if (::chroot(path) < 0) return fail_errno("chroot({})", path);
    return {};
}

Status RealSys::chdir(const char* path) {
    if (::chdir(path) < 0) return fail_errno("chdir({})", path);
    return {};
}

Status RealSys::fchdir(int fd) {
    if (::fchdir(fd) < 0) return fail_errno("fchdir");
    return {};
}

Result<UniqueFd> RealSys::open(const char* path, int flags, mode_t mode) {
    int fd = ::open(path, flags, mode);
    if (fd < 0) return fail_errno("open({})", path);
    return UniqueFd(fd);
}

Result<UniqueFd> RealSys::openat(int dirfd, const char* path, int flags, mode_t mode) {
    int fd = ::openat(dirfd, path, flags, mode);
    if (fd < 0) return fail_errno("openat({})", path);
    return UniqueFd(fd);
}

Result<UniqueFd> RealSys::openat2(int dirfd, const char* path, int flags, mode_t mode,
                                  uint64_t resolve) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags);
    how.mode = mode;
    how.resolve = resolve;
    long fd = ::syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    if (fd < 0) {
        if (errno == ENOSYS)
            return fail_errno("openat2({}): the kernel lacks openat2 (< 5.6)", path);
        return fail_errno("openat2({})", path);
    }
    return UniqueFd(static_cast<int>(fd));
}

Status RealSys::mkdirat(int dirfd, const char* path, mode_t mode) {
    if (::mkdirat(dirfd, path, mode) < 0) return fail_errno("mkdirat({})", path);
    return {};
}

Status RealSys::mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) {
    if (::mknodat(dirfd, path, mode, dev) < 0) return fail_errno("mknodat({})", path);
    return {};
}

Status RealSys::symlinkat(const char* target, int dirfd, const char* linkpath) {
    if (::symlinkat(target, dirfd, linkpath) < 0)
        return fail_errno("symlinkat({} -> {})", linkpath, target);
    return {};
}

Status RealSys::fchmodat(int dirfd, const char* path, mode_t mode) {
    if (::fchmodat(dirfd, path, mode, 0) < 0) return fail_errno("fchmodat({})", path);
    return {};
}

Status RealSys::fchownat(int dirfd, const char* path, uid_t uid, gid_t gid) {
    int flags = AT_SYMLINK_NOFOLLOW | (*path == '\0' ? AT_EMPTY_PATH : 0);
    if (::fchownat(dirfd, path, uid, gid, flags) < 0) return fail_errno("fchownat({})", path);
    return {};
}

Result<struct stat> RealSys::fstatat(int dirfd, const char* path) {
    struct stat st {};
    int flags = AT_SYMLINK_NOFOLLOW | (*path == '\0' ? AT_EMPTY_PATH : 0);
    if (::fstatat(dirfd, path, &st, flags) < 0) return fail_errno("fstatat({})", path);
    return st;
}

Result<struct statvfs> RealSys::fstatvfs(int fd) {
    struct statvfs st {};
    if (::fstatvfs(fd, &st) < 0) return fail_errno("fstatvfs");
    return st;
}

}  // namespace kiste
