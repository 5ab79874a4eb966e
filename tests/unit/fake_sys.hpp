// A recording fake of the Sys seam for unit tests. It keeps a tiny model of
// the file system (absolute paths -> kind), hands out real fds (of
// /dev/null, so UniqueFd can close them) and remembers which path each fd
// stands for, so "/proc/self/fd/N" in a call is recorded as that path.
// Mutating calls are recorded as one readable line each, in order. Paths
// are always shown as seen from outside: after pivot_root or chroot the
// fake's root moves to the rootfs, so "/" then shows as "/rootfs".
// Queries (fstatat, access, capget, PR_CAPBSET_READ, getrlimit) are not
// recorded. The process's capability sets are modelled (`caps`, `bounding`,
// `ambient`), so code that reads them back sees what it set. `fail_on`
// makes every recorded call whose line starts with a key fail with that
// errno, after it is recorded ("setresuid", "prctl PR_SET_NO_NEW_PRIVS").
#pragma once

#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "base/sys.hpp"
#include "rootfs/options.hpp"

namespace kiste::fakes {

class FakeSys : public Sys {
public:
    enum class Kind { Dir, File, Chr };
    struct Node {
        Kind kind = Kind::Dir;
        dev_t rdev = 0;
    };

    std::map<std::string, Node> fs;
    std::vector<std::string> calls;
    std::vector<uint64_t> resolve_flags;       // of every openat2
    std::map<std::string, int> mount_errno;    // shown target -> errno of a failing mount
    std::map<std::string, int> mknod_errno;    // path -> errno of a failing mknod
    std::map<std::string, unsigned long> vfs;  // path -> ST_* flags for fstatvfs
    int pivot_errno = 0;
    std::map<std::string, int> fail_on;  // line prefix -> errno of a failing call
    // The capability model: caps 0..40 at the start, as root has.
    CapMasks caps{kAllCaps, kAllCaps, 0};
    uint64_t bounding = kAllCaps;
    uint64_t ambient = 0;
    bool keepcaps = false;
    static constexpr uint64_t kAllCaps = (uint64_t{1} << 41) - 1;
    pid_t next_pid = 4242;

    FakeSys() { add_dir("/"); }

    void add_dir(const std::string& p) {
        for (size_t i = 1; i <= p.size(); ++i)
            if (i == p.size() || p[i] == '/') fs.emplace(p.substr(0, i), Node{Kind::Dir, 0});
        fs["/"] = Node{Kind::Dir, 0};
    }
    void add_file(const std::string& p) {
        add_dir(parent(p));
        fs[p] = Node{Kind::File, 0};
    }
    void add_chr(const std::string& p, dev_t rdev) {
        add_dir(parent(p));
        fs[p] = Node{Kind::Chr, rdev};
    }
    bool exists(const std::string& p) const { return fs.count(p) != 0; }

    Status mount(const char* source, const char* target, const char* fstype, unsigned long flags,
                 const char* data) override {
        // A plain target path is shown from outside (after pivot_root "/" is the rootfs).
        std::string t = show(target);
        if (t == target) t = resolve(t);
        std::string line = fmt::format("mount {} {} {} {}", show(source), t, fstype ? fstype : "-",
                                       rootfs::mount_flags_string(flags));
        if (data != nullptr) line += fmt::format(" {}", data);
        calls.push_back(line);
        if (auto it = mount_errno.find(t); it != mount_errno.end())
            return fail(Error::from_errno(it->second, "mount"));
        return {};
    }
    Status umount2(const char* target, int flags) override {
        calls.push_back(
            fmt::format("umount2 {} {}", show(target), (flags & MNT_DETACH) ? "MNT_DETACH" : "0"));
        return {};
    }
    Status pivot_root(const char* new_root, const char* put_old) override {
        calls.push_back(fmt::format("pivot_root {} {}", new_root, put_old));
        if (pivot_errno != 0) return fail(Error::from_errno(pivot_errno, "pivot_root"));
        root_ = join(cwd_, new_root);
        return {};
    }
    Status chroot(const char* path) override {
        calls.push_back(fmt::format("chroot {}", path));
        root_ = resolve(path);
        return {};
    }
    Status chdir(const char* path) override {
        calls.push_back(fmt::format("chdir {}", path));
        cwd_ = resolve(path);
        return {};
    }
    Status fchdir(int fd) override {
        cwd_ = path_of(fd);
        calls.push_back(fmt::format("fchdir {}", cwd_));
        return {};
    }

    Result<UniqueFd> clone_tree(int fd) override {
        calls.push_back(fmt::format("clone_tree {}", path_of(fd)));
        return handout(path_of(fd));
    }
    Status move_mount(int from, int onto) override {
        calls.push_back(fmt::format("move_mount {} {}", path_of(from), path_of(onto)));
        return {};
    }

    Result<UniqueFd> open(const char* path, int flags, mode_t mode) override {
        return openat(AT_FDCWD, path, flags, mode);
    }
    Result<UniqueFd> openat(int dirfd, const char* path, int flags, mode_t mode) override {
        std::string p = dirfd == AT_FDCWD ? resolve(path) : join(path_of(dirfd), path);
        if (!exists(p)) {
            if ((flags & O_CREAT) == 0) return fail(Error::from_errno(ENOENT, "openat"));
            if (!exists(parent(p))) return fail(Error::from_errno(ENOENT, "openat"));
            fs[p] = Node{Kind::File, 0};
            calls.push_back(fmt::format("create {} {:04o}", p, mode));
        } else if ((flags & O_CREAT) && (flags & O_EXCL)) {
            return fail(Error::from_errno(EEXIST, "openat"));
        }
        return handout(p);
    }
    Result<UniqueFd> openat2(int dirfd, const char* path, int flags, mode_t mode,
                             uint64_t resolve) override {
        resolve_flags.push_back(resolve);
        return openat(dirfd, path, flags, mode);
    }
    Status mkdirat(int dirfd, const char* path, mode_t mode) override {
        std::string p = join(path_of(dirfd), path);
        if (exists(p)) return fail(Error::from_errno(EEXIST, "mkdirat"));
        if (!exists(parent(p))) return fail(Error::from_errno(ENOENT, "mkdirat"));
        fs[p] = Node{Kind::Dir, 0};
        calls.push_back(fmt::format("mkdir {} {:04o}", p, mode));
        return {};
    }
    Status mknodat(int dirfd, const char* path, mode_t mode, dev_t dev) override {
        std::string p = join(path_of(dirfd), path);
        if (exists(p)) return fail(Error::from_errno(EEXIST, "mknodat"));
        if (auto it = mknod_errno.find(p); it != mknod_errno.end())
            return fail(Error::from_errno(it->second, fmt::format("mknodat({})", path)));
        const char type = S_ISCHR(mode) ? 'c' : S_ISBLK(mode) ? 'b' : S_ISFIFO(mode) ? 'p' : '?';
        fs[p] = Node{type == 'p' ? Kind::File : Kind::Chr, dev};
        calls.push_back(fmt::format("mknod {} {} {}:{}", p, type, major(dev), minor(dev)));
        return {};
    }
    Status symlinkat(const char* target, int dirfd, const char* linkpath) override {
        std::string p = join(path_of(dirfd), linkpath);
        if (exists(p)) return fail(Error::from_errno(EEXIST, "symlinkat"));
        fs[p] = Node{Kind::File, 0};
        calls.push_back(fmt::format("symlink {} -> {}", p, target));
        return {};
    }
    Status fchmodat(int dirfd, const char* path, mode_t mode) override {
        calls.push_back(fmt::format("chmod {} {:04o}", join(path_of(dirfd), path), mode));
        return {};
    }
    Status fchownat(int dirfd, const char* path, uid_t uid, gid_t gid) override {
        calls.push_back(fmt::format("chown {} {}:{}", join(path_of(dirfd), path), uid, gid));
        return {};
    }
    Result<struct stat> fstatat(int dirfd, const char* path) override {
        std::string p = join(path_of(dirfd), path);
        auto it = fs.find(p);
        if (it == fs.end()) return fail(Error::from_errno(ENOENT, "fstatat"));
        struct stat st {};
        st.st_mode = it->second.kind == Kind::Dir   ? S_IFDIR | 0755
                     : it->second.kind == Kind::Chr ? S_IFCHR | 0666
                                                    : S_IFREG | 0644;
        st.st_rdev = it->second.rdev;
        return st;
    }
    Result<struct statvfs> fstatvfs(int fd) override {
        struct statvfs st {};
        if (auto it = vfs.find(path_of(fd)); it != vfs.end()) st.f_flag = it->second;
        return st;
    }

    Status write(int fd, const void* data, size_t size) override {
        std::string text(static_cast<const char*>(data), size);
        while (!text.empty() && text.back() == '\n') text.pop_back();
        for (char& c : text)
            if (c == '\n') c = ';';
        return record(fmt::format("write {} {}", path_of(fd), text));
    }
    Result<size_t> read(int fd, void* /*data*/, size_t size) override {
        KISTE_TRY(record(fmt::format("read {}", path_of(fd))));
        return size;
    }
    Status access(const char* path, int /*mode*/) override {
        if (!exists(resolve(path))) return fail(Error::from_errno(ENOENT, "access"));
        return {};
    }
    Status unshare(int flags) override {
        return record(fmt::format("unshare {}", ns_names(flags)));
    }
    Status setns(int fd, int nstype) override {
        return record(fmt::format("setns {} {}", path_of(fd), ns_names(nstype)));
    }
    Status sethostname(std::string_view name) override {
        return record(fmt::format("sethostname {}", name));
    }
    Status setdomainname(std::string_view name) override {
        return record(fmt::format("setdomainname {}", name));
    }
    Status interface_up(const char* name) override {
        return record(fmt::format("interface_up {}", name));
    }
    Status setgroups(size_t count, const gid_t* groups) override {
        std::string list;
        for (size_t i = 0; i < count; ++i) list += fmt::format("{}{}", i ? "," : "", groups[i]);
        return record(fmt::format("setgroups [{}]", list));
    }
    Status setresgid(gid_t r, gid_t e, gid_t s) override {
        return record(fmt::format("setresgid {} {} {}", r, e, s));
    }
    Status setresuid(uid_t r, uid_t e, uid_t s) override {
        KISTE_TRY(record(fmt::format("setresuid {} {} {}", r, e, s)));
        // The kernel clears the effective set when no uid stays 0, the
        // permitted set too unless PR_SET_KEEPCAPS.
        if (r != 0 && e != 0 && s != 0) {
            caps.effective = 0;
            if (!keepcaps) caps.permitted = 0;
        }
        return {};
    }
    Result<CapMasks> capget() override { return caps; }
    Status capset(const CapMasks& c) override {
        KISTE_TRY(record(fmt::format("capset e={:#x} p={:#x} i={:#x}", c.effective, c.permitted,
                                     c.inheritable)));
        caps = c;
        return {};
    }
    Result<int> prctl(int option, unsigned long a2, unsigned long a3, unsigned long /*a4*/,
                      unsigned long /*a5*/) override {
        switch (option) {
            case PR_CAPBSET_READ: return a2 < 64 && (bounding >> a2) & 1 ? 1 : 0;
            case PR_CAP_AMBIENT:
                if (a2 == PR_CAP_AMBIENT_IS_SET) return (ambient >> a3) & 1 ? 1 : 0;
                if (a2 == PR_CAP_AMBIENT_CLEAR_ALL) {
                    KISTE_TRY(record("prctl PR_CAP_AMBIENT_CLEAR_ALL"));
                    ambient = 0;
                    return 0;
                }
                KISTE_TRY(record(fmt::format("prctl PR_CAP_AMBIENT_RAISE {}", a3)));
                ambient |= uint64_t{1} << a3;
                return 0;
            case PR_CAPBSET_DROP:
                KISTE_TRY(record(fmt::format("prctl PR_CAPBSET_DROP {}", a2)));
                bounding &= ~(uint64_t{1} << a2);
                return 0;
            case PR_SET_KEEPCAPS:
                KISTE_TRY(record(fmt::format("prctl PR_SET_KEEPCAPS {}", a2)));
                keepcaps = a2 != 0;
                return 0;
            case PR_SET_NO_NEW_PRIVS:
                KISTE_TRY(record(fmt::format("prctl PR_SET_NO_NEW_PRIVS {}", a2)));
                return 0;
            case PR_SET_PDEATHSIG:
                KISTE_TRY(record(fmt::format("prctl PR_SET_PDEATHSIG {}", a2)));
                return 0;
            case PR_SET_DUMPABLE:
                KISTE_TRY(record(fmt::format("prctl PR_SET_DUMPABLE {}", a2)));
                return 0;
            default: KISTE_TRY(record(fmt::format("prctl {} {}", option, a2))); return 0;
        }
    }
    Result<struct rlimit> getrlimit(int resource) override {
        if (auto it = rlimits.find(resource); it != rlimits.end()) return it->second;
        return rlimit{RLIM_INFINITY, RLIM_INFINITY};
    }
    Status setrlimit(int resource, const struct rlimit& limit) override {
        KISTE_TRY(
            record(fmt::format("setrlimit {} {} {}", resource, limit.rlim_cur, limit.rlim_max)));
        rlimits[resource] = limit;
        return {};
    }
    Status join_session_keyring() override { return record("join_session_keyring"); }
    Status setsid() override { return record("setsid"); }
    Status dup2(int oldfd, int newfd) override {
        return record(fmt::format("dup2 {} {}", path_of(oldfd), newfd));
    }
    Status set_controlling_tty(int fd) override {
        return record(fmt::format("set_controlling_tty {}", fd));
    }
    Status sigprocmask(int how, const sigset_t* /*set*/, sigset_t* old) override {
        if (old != nullptr) sigemptyset(old);
        return record(fmt::format("sigprocmask {}", how == SIG_BLOCK     ? "SIG_BLOCK"
                                                    : how == SIG_UNBLOCK ? "SIG_UNBLOCK"
                                                                         : "SIG_SETMASK"));
    }
    void reset_ignored_signals() override { calls.push_back("reset_ignored_signals"); }
    Status kill(pid_t pid, int sig) override { return record(fmt::format("kill {} {}", pid, sig)); }
    Result<pid_t> clone_vm(int (* /*fn*/)(void*), void* /*stack_top*/, void* /*arg*/) override {
        KISTE_TRY(record(fmt::format("clone_vm {}", next_pid)));
        return next_pid;
    }
    Status close_range(unsigned first, unsigned last, unsigned flags) override {
        return record(fmt::format("close_range {} {} {}", first,
                                  last == ~0U ? std::string("~0") : std::to_string(last),
                                  flags & CLOSE_RANGE_CLOEXEC ? "CLOEXEC" : "0"));
    }
    Status execve(const char* path, char* const argv[], char* const /*envp*/[]) override {
        return record(fmt::format("execve {}{}", path, args_of(argv)));
    }
    Status execveat(int dirfd, const char* /*path*/, char* const argv[], char* const /*envp*/[],
                    int /*flags*/) override {
        return record(fmt::format("execveat {}{}", path_of(dirfd), args_of(argv)));
    }

    std::map<int, struct rlimit> rlimits;  // resource -> limit (unset: unlimited)

    // An fd that stands for `path` in recorded lines (a namespace file, a
    // cgroup's tasks file, a sealed image), as if opened elsewhere.
    UniqueFd fd_for(const std::string& path) {
        auto fd = handout(path);
        return fd ? std::move(*fd) : UniqueFd();
    }
    // The recorded calls whose line starts with one of `prefixes`, in order.
    std::vector<std::string> calls_of(std::initializer_list<std::string_view> prefixes) const {
        std::vector<std::string> out;
        for (const auto& c : calls)
            for (auto p : prefixes)
                if (std::string_view(c).starts_with(p)) {
                    out.push_back(c);
                    break;
                }
        return out;
    }

    // "/proc/self/fd/N" of an fd handed out here -> the path it stands for.
    std::string show(const char* p) const {
        if (p == nullptr) return "-";
        std::string s(p);
        if (s.starts_with("/proc/self/fd/")) {
            if (auto it = fds_.find(std::stoi(s.substr(14))); it != fds_.end()) return it->second;
        }
        return s;
    }

private:
    Status record(std::string line) {
        calls.push_back(std::move(line));
        for (const auto& [prefix, err] : fail_on)
            if (calls.back().starts_with(prefix)) return fail(Error::from_errno(err, calls.back()));
        return {};
    }
    static std::string ns_names(int flags) {
        static constexpr std::pair<int, const char*> kNames[] = {
            {CLONE_NEWUSER, "CLONE_NEWUSER"},     {CLONE_NEWNS, "CLONE_NEWNS"},
            {CLONE_NEWPID, "CLONE_NEWPID"},       {CLONE_NEWNET, "CLONE_NEWNET"},
            {CLONE_NEWUTS, "CLONE_NEWUTS"},       {CLONE_NEWIPC, "CLONE_NEWIPC"},
            {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"}, {CLONE_NEWTIME, "CLONE_NEWTIME"}};
        std::string out;
        for (auto [bit, name] : kNames)
            if (flags & bit) out += fmt::format("{}{}", out.empty() ? "" : "|", name);
        return out.empty() ? std::string("0") : out;
    }
    static std::string args_of(char* const argv[]) {
        std::string out;
        for (size_t i = 0; argv != nullptr && argv[i] != nullptr; ++i)
            out += fmt::format(" {}", argv[i]);
        return out;
    }
    static std::string parent(const std::string& p) {
        size_t slash = p.rfind('/');
        return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
    }
    // Lexical join; an absolute `rel` is taken inside `base`, as RESOLVE_IN_ROOT does.
    static std::string join(const std::string& base, const std::string& rel) {
        std::vector<std::string> parts;
        auto push = [&](const std::string& s) {
            size_t start = 0;
            while (start <= s.size()) {
                size_t end = s.find('/', start);
                if (end == std::string::npos) end = s.size();
                std::string c = s.substr(start, end - start);
                if (c == "..") {
                    if (!parts.empty()) parts.pop_back();
                } else if (!c.empty() && c != ".") {
                    parts.push_back(c);
                }
                start = end + 1;
            }
        };
        push(base);
        push(rel);
        std::string out;
        for (const auto& c : parts) out += "/" + c;
        return out.empty() ? "/" : out;
    }
    // A path of the process (not relative to an fd), seen from outside.
    std::string resolve(const std::string& p) const {
        return p.starts_with('/') ? join(root_, p) : join(cwd_, p);
    }
    std::string path_of(int fd) const {
        if (fd == AT_FDCWD) return cwd_;
        auto it = fds_.find(fd);
        return it == fds_.end() ? std::string("/<bad fd>") : it->second;
    }
    Result<UniqueFd> handout(const std::string& p) {
        int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) return fail_errno("open /dev/null");
        fds_[fd] = p;
        return UniqueFd(fd);
    }

    std::map<int, std::string> fds_;
    std::string cwd_ = "/";
    std::string root_ = "/";
};

}  // namespace kiste::fakes
