// A recording fake of the Sys seam for unit tests. It keeps a tiny model of
// the file system (absolute paths -> kind), hands out real fds (of
// /dev/null, so UniqueFd can close them) and remembers which path each fd
// stands for, so "/proc/self/fd/N" in a call is recorded as that path.
// Mutating calls are recorded as one readable line each, in order. Paths
// are always shown as seen from outside: after pivot_root or chroot the
// fake's root moves to the rootfs, so "/" then shows as "/rootfs".
#pragma once

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
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
