// The syscall seam (design.md example 8): the kernel calls of the container
// setup go through `Sys` (mounts and files, namespaces, credentials,
// capabilities, prctl, names, fds, exec), so unit tests can drive the
// orchestration with a recording fake and assert the order and arguments of
// every step.
// `RealSys` is the one production implementation: each method is the bare
// syscall plus an Error naming the call and its arguments.
//
// Pointer arguments that the kernel accepts as NULL (mount's source, fstype,
// data) are `const char*`; everything else is a C string too, because the
// callers build "/proc/self/fd/N" paths and pass them straight through.
#pragma once

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste {

// The three per-thread capability sets of capget(2)/capset(2), one bit per
// capability number (version 3: 64 bits).
struct CapMasks {
    uint64_t effective = 0;
    uint64_t permitted = 0;
    uint64_t inheritable = 0;
};

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
    // The whole buffer in one write(2); a short write is an error (EIO).
    virtual Status write(int fd, const void* data, size_t size) = 0;
    // read(2), retried on EINTR; returns the bytes read (0 at end of file).
    virtual Result<size_t> read(int fd, void* data, size_t size) = 0;
    // access(2) of `path` with `mode` (X_OK, ...).
    virtual Status access(const char* path, int mode) = 0;

    // ---- namespaces
    virtual Status unshare(int flags) = 0;
    virtual Status setns(int fd, int nstype) = 0;
    virtual Status sethostname(std::string_view name) = 0;
    virtual Status setdomainname(std::string_view name) = 0;
    // SIOCGIFFLAGS/SIOCSIFFLAGS: IFF_UP on interface `name` of the current
    // net namespace (the loopback of a fresh one).
    virtual Status interface_up(const char* name) = 0;

    // ---- credentials and capabilities
    virtual Status setgroups(size_t count, const gid_t* groups) = 0;
    virtual Status setresgid(gid_t rgid, gid_t egid, gid_t sgid) = 0;
    virtual Status setresuid(uid_t ruid, uid_t euid, uid_t suid) = 0;
    virtual Result<CapMasks> capget() = 0;
    virtual Status capset(const CapMasks& caps) = 0;
    // prctl(2) as is: returns its non-negative result (PR_CAPBSET_READ, ...).
    virtual Result<int> prctl(int option, unsigned long arg2, unsigned long arg3,
                              unsigned long arg4, unsigned long arg5) = 0;
    virtual Result<struct rlimit> getrlimit(int resource) = 0;
    // prlimit(0, resource, &limit, NULL).
    virtual Status setrlimit(int resource, const struct rlimit& limit) = 0;
    // keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): a fresh anonymous session keyring.
    virtual Status join_session_keyring() = 0;

    // ---- process, terminal, signals
    virtual Status setsid() = 0;
    virtual Status dup2(int oldfd, int newfd) = 0;
    // ioctl(fd, TIOCSCTTY, 0): `fd`'s terminal becomes the controlling one.
    virtual Status set_controlling_tty(int fd) = 0;
    virtual Status sigprocmask(int how, const sigset_t* set, sigset_t* old) = 0;
    // Every ignored signal back to its default action (base/signals.hpp).
    virtual void reset_ignored_signals() = 0;
    virtual Status kill(pid_t pid, int sig) = 0;
    // clone(fn, stack_top, CLONE_VM | SIGCHLD, arg): a child that shares
    // this memory, on a stack of its own; returns its pid.
    virtual Result<pid_t> clone_vm(int (*fn)(void*), void* stack_top, void* arg) = 0;

    // ---- fds and exec
    virtual Status close_range(unsigned first, unsigned last, unsigned flags) = 0;
    // Return only on failure (the fake returns success: nothing was replaced).
    virtual Status execve(const char* path, char* const argv[], char* const envp[]) = 0;
    virtual Status execveat(int dirfd, const char* path, char* const argv[], char* const envp[],
                            int flags) = 0;
};

// A seam call's failure told in the caller's words: the call's errno under
// `what`, exactly as fail_errno(what) right after the bare syscall says it.
template <class T, class... Args>
Result<T> reword(Result<T>&& r, fmt::format_string<Args...> what, Args&&... args) {
    if (!r)
        return fail(
            Error::from_errno(r.error().code(), fmt::format(what, std::forward<Args>(args)...)));
    return std::move(r);
}

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
    Status write(int fd, const void* data, size_t size) override;
    Result<size_t> read(int fd, void* data, size_t size) override;
    Status access(const char* path, int mode) override;
    Status unshare(int flags) override;
    Status setns(int fd, int nstype) override;
    Status sethostname(std::string_view name) override;
    Status setdomainname(std::string_view name) override;
    Status interface_up(const char* name) override;
    Status setgroups(size_t count, const gid_t* groups) override;
    Status setresgid(gid_t rgid, gid_t egid, gid_t sgid) override;
    Status setresuid(uid_t ruid, uid_t euid, uid_t suid) override;
    Result<CapMasks> capget() override;
    Status capset(const CapMasks& caps) override;
    Result<int> prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4,
                      unsigned long arg5) override;
    Result<struct rlimit> getrlimit(int resource) override;
    Status setrlimit(int resource, const struct rlimit& limit) override;
    Status join_session_keyring() override;
    Status setsid() override;
    Status dup2(int oldfd, int newfd) override;
    Status set_controlling_tty(int fd) override;
    Status sigprocmask(int how, const sigset_t* set, sigset_t* old) override;
    void reset_ignored_signals() override;
    Status kill(pid_t pid, int sig) override;
    Result<pid_t> clone_vm(int (*fn)(void*), void* stack_top, void* arg) override;
    Status close_range(unsigned first, unsigned last, unsigned flags) override;
    Status execve(const char* path, char* const argv[], char* const envp[]) override;
    Status execveat(int dirfd, const char* path, char* const argv[], char* const envp[],
                    int flags) override;
};

}  // namespace kiste
