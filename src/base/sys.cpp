#include "base/sys.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "base/signals.hpp"

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

namespace kiste {

Status RealSys::write(int fd, const void* data, size_t size) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) return fail_errno("write");
    if (static_cast<size_t>(n) != size)
        return fail(Error::from_errno(EIO, fmt::format("write: {} of {} bytes", n, size)));
    return {};
}

Result<size_t> RealSys::read(int fd, void* data, size_t size) {
    for (;;) {
        const ssize_t n = ::read(fd, data, size);
        if (n >= 0) return static_cast<size_t>(n);
        if (errno != EINTR) return fail_errno("read");
    }
}

Status RealSys::access(const char* path, int mode) {
    if (::access(path, mode) < 0) return fail_errno("access({})", path);
    return {};
}

Status RealSys::unshare(int flags) {
    if (::unshare(flags) < 0) return fail_errno("unshare({:#x})", flags);
    return {};
}

Status RealSys::setns(int fd, int nstype) {
    if (::setns(fd, nstype) < 0) return fail_errno("setns(fd {}, {:#x})", fd, nstype);
    return {};
}

Status RealSys::sethostname(std::string_view name) {
    if (::sethostname(name.data(), name.size()) < 0) return fail_errno("sethostname({})", name);
    return {};
}

Status RealSys::setdomainname(std::string_view name) {
    if (::setdomainname(name.data(), name.size()) < 0) return fail_errno("setdomainname({})", name);
    return {};
}

Status RealSys::interface_up(const char* name) {
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) return fail_errno("socket for bringing up {}", name);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0)
        return fail_errno("reading the flags of {}", name);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(sock.get(), SIOCSIFFLAGS, &ifr) < 0) return fail_errno("bringing up {}", name);
    return {};
}

Status RealSys::setgroups(size_t count, const gid_t* groups) {
    if (::setgroups(count, groups) < 0) return fail_errno("setgroups({} groups)", count);
    return {};
}

Status RealSys::setresgid(gid_t rgid, gid_t egid, gid_t sgid) {
    if (::setresgid(rgid, egid, sgid) < 0)
        return fail_errno("setresgid({}, {}, {})", rgid, egid, sgid);
    return {};
}

Status RealSys::setresuid(uid_t ruid, uid_t euid, uid_t suid) {
    if (::setresuid(ruid, euid, suid) < 0)
        return fail_errno("setresuid({}, {}, {})", ruid, euid, suid);
    return {};
}

Result<CapMasks> RealSys::capget() {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    if (::syscall(SYS_capget, &hdr, data) < 0) return fail_errno("capget");
    auto join = [](uint32_t lo, uint32_t hi) { return uint64_t{lo} | (uint64_t{hi} << 32); };
    return CapMasks{.effective = join(data[0].effective, data[1].effective),
                    .permitted = join(data[0].permitted, data[1].permitted),
                    .inheritable = join(data[0].inheritable, data[1].inheritable)};
}

Status RealSys::capset(const CapMasks& caps) {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    auto lo = [](uint64_t v) { return static_cast<uint32_t>(v); };
    auto hi = [](uint64_t v) { return static_cast<uint32_t>(v >> 32); };
    data[0] = {lo(caps.effective), lo(caps.permitted), lo(caps.inheritable)};
    data[1] = {hi(caps.effective), hi(caps.permitted), hi(caps.inheritable)};
    if (::syscall(SYS_capset, &hdr, data) < 0)
        return fail_errno("capset(effective {:#x}, permitted {:#x}, inheritable {:#x})",
                          caps.effective, caps.permitted, caps.inheritable);
    return {};
}

Result<int> RealSys::prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4,
                           unsigned long arg5) {
    const int r = ::prctl(option, arg2, arg3, arg4, arg5);
    if (r < 0) return fail_errno("prctl({}, {})", option, arg2);
    return r;
}

Result<struct rlimit> RealSys::getrlimit(int resource) {
    struct rlimit rl {};
    if (::prlimit(0, static_cast<__rlimit_resource>(resource), nullptr, &rl) < 0)
        return fail_errno("getrlimit({})", resource);
    return rl;
}

Status RealSys::setrlimit(int resource, const struct rlimit& limit) {
    if (::prlimit(0, static_cast<__rlimit_resource>(resource), &limit, nullptr) < 0)
        return fail_errno("prlimit({})", resource);
    return {};
}

Status RealSys::join_session_keyring() {
    if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0)
        return fail_errno("keyctl(KEYCTL_JOIN_SESSION_KEYRING)");
    return {};
}

Status RealSys::setsid() {
    if (::setsid() < 0) return fail_errno("setsid");
    return {};
}

Status RealSys::dup2(int oldfd, int newfd) {
    if (::dup2(oldfd, newfd) < 0) return fail_errno("dup2({}, {})", oldfd, newfd);
    return {};
}

Status RealSys::set_controlling_tty(int fd) {
    if (::ioctl(fd, TIOCSCTTY, 0) < 0) return fail_errno("ioctl({}, TIOCSCTTY)", fd);
    return {};
}

Status RealSys::sigprocmask(int how, const sigset_t* set, sigset_t* old) {
    if (::sigprocmask(how, set, old) < 0) return fail_errno("sigprocmask");
    return {};
}

void RealSys::reset_ignored_signals() {
    kiste::reset_ignored_signals();
}

Status RealSys::kill(pid_t pid, int sig) {
    if (::kill(pid, sig) < 0) return fail_errno("kill({}, {})", pid, sig);
    return {};
}

Result<pid_t> RealSys::clone_vm(int (*fn)(void*), void* stack_top, void* arg) {
    const int pid = ::clone(fn, stack_top, CLONE_VM | SIGCHLD, arg);
    if (pid < 0) return fail_errno("clone(CLONE_VM)");
    return static_cast<pid_t>(pid);
}

Status RealSys::close_range(unsigned first, unsigned last, unsigned flags) {
    if (::syscall(SYS_close_range, first, last, flags) < 0)
        return fail_errno("close_range({}, {}, {:#x})", first, last, flags);
    return {};
}

Status RealSys::execve(const char* path, char* const argv[], char* const envp[]) {
    ::execve(path, argv, envp);
    return fail_errno("execve({})", path);
}

Status RealSys::execveat(int dirfd, const char* path, char* const argv[], char* const envp[],
                         int flags) {
    ::syscall(SYS_execveat, dirfd, path, argv, envp, flags);
    return fail_errno("execveat(fd {})", dirfd);
}

}  // namespace kiste
