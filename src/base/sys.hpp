// The syscall seam (design.md example 8): the kernel calls of the container
// setup go through `Sys`, so unit tests can drive the orchestration with a
// recording fake and assert the order and arguments of every mount.
// `RealSys` is the one production implementation: each method is the bare
// syscall plus an Error naming the call and its arguments.
//
// Pointer arguments that the kernel accepts as NULL (mount's source, fstype,
// data) are `const char*`; everything else is a C string too, because the
// callers build "/proc/self/fd/N" paths and pass them straight through.
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <cstdint>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste {

class Sys {
public:
    Sys() = default;
    Sys(const Sys&) = delete;
    Sys& operator=(const Sys&) = delete;
    virtual ~Sys() = default;

    virtual Status mount(const char* source, const char* target, const char* fstype,
                         unsigned long flags, const char* data) = 0;
    virtual Status umount2(const char* target, int flags) = 0;
    virtual Status pivot_root(const char* new_root, const char* put_old) = 0;
    virtual Status chroot(const char* path) = 0;
    virtual Status chdir(const char* path) = 0;
    virtual Status fchdir(int fd) = 0;
    // open_tree(fd, "", OPEN_TREE_CLONE | AT_RECURSIVE | AT_EMPTY_PATH |
    // OPEN_TREE_CLOEXEC): a detached copy of the mount tree at `fd`.
    virtual Result<UniqueFd> clone_tree(int fd) = 0;
    // move_mount(from, "", onto, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH).
    virtual Status move_mount(int from, int onto) = 0;

    virtual Result<UniqueFd> open(const char* path, int flags, mode_t mode) = 0;
    virtual Result<UniqueFd> openat(int dirfd, const char* path, int flags, mode_t mode) = 0;
    // openat2(2); `resolve` is RESOLVE_* (linux/openat2.h).
    virtual Result<UniqueFd> openat2(int dirfd, const char* path, int flags, mode_t mode,
                                     uint64_t resolve) = 0;
    virtual Status mkdirat(int dirfd, const char* path, mode_t mode) = 0;
    virtual Status mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) = 0;
    virtual Status symlinkat(const char* target, int dirfd, const char* linkpath) = 0;
    virtual Status fchmodat(int dirfd, const char* path, mode_t mode) = 0;
    // Never follows a symlink in the last component (AT_SYMLINK_NOFOLLOW).
    virtual Status fchownat(int dirfd, const char* path, uid_t uid, gid_t gid) = 0;
    // fstatat(dirfd, path, AT_SYMLINK_NOFOLLOW); an empty path stats dirfd itself.
    virtual Result<struct stat> fstatat(int dirfd, const char* path) = 0;
    virtual Result<struct statvfs> fstatvfs(int fd) = 0;
};

class RealSys final : public Sys {
public:
    Status mount(const char* source, const char* target, const char* fstype, unsigned long flags,
                 const char* data) override;
    Status umount2(const char* target, int flags) override;
    Status pivot_root(const char* new_root, const char* put_old) override;
    Status chroot(const char* path) override;
    Status chdir(const char* path) override;
    Status fchdir(int fd) override;
    Result<UniqueFd> clone_tree(int fd) override;
    Status move_mount(int from, int onto) override;
    Result<UniqueFd> open(const char* path, int flags, mode_t mode) override;
    Result<UniqueFd> openat(int dirfd, const char* path, int flags, mode_t mode) override;
    Result<UniqueFd> openat2(int dirfd, const char* path, int flags, mode_t mode,
                             uint64_t resolve) override;
    Status mkdirat(int dirfd, const char* path, mode_t mode) override;
    Status mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) override;
    Status symlinkat(const char* target, int dirfd, const char* linkpath) override;
    Status fchmodat(int dirfd, const char* path, mode_t mode) override;
    Status fchownat(int dirfd, const char* path, uid_t uid, gid_t gid) override;
    Result<struct stat> fstatat(int dirfd, const char* path) override;
    Result<struct statvfs> fstatvfs(int fd) override;
};

}  // namespace kiste
