#include "template/remove_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/octal_escape.hpp"
#include "base/unique_fd.hpp"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

namespace kiste::tmpl {

namespace {

bool at_or_below(const std::string& p, const std::string& dir) {
    if (dir == "/") return true;
    return p == dir || (p.size() > dir.size() && p.starts_with(dir) && p[dir.size()] == '/');
}

struct Walker {
    // Whether the directory open at `fd` is the root of a mount.
    static bool is_mount_root(int fd) {
        struct statx stx {};
        if (::statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0) return false;
        return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
               (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
    }

    // Empties the directory open at `dirfd` (shown as `shown`), staying on `dev`.
    Status empty_dir(int dirfd, dev_t dev, const std::string& shown) {
        int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
        if (dup < 0) return fail_errno("dup of {}", shown);
        DIR* d = ::fdopendir(dup);
        if (d == nullptr) {
            ::close(dup);
            return fail_errno("reading {}", shown);
        }
        std::vector<std::string> names;
        errno = 0;
        while (dirent* e = ::readdir(d)) {
            std::string_view n = e->d_name;
            if (n != "." && n != "..") names.emplace_back(n);
        }
        const int read_errno = errno;
        ::closedir(d);
        if (read_errno != 0) return fail(Error(read_errno, fmt::format("reading {}", shown)));
        for (const auto& n : names) KISTE_TRY(remove_entry(dirfd, n, dev, shown + "/" + n));
        return {};
    }

    Status remove_entry(int parent, const std::string& name, dev_t dev, const std::string& shown) {
        struct stat st {};
        if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT) return {};
            return fail_errno("stat {}", shown);
        }
        if (S_ISDIR(st.st_mode)) {
            if (st.st_dev != dev)
                return fail("not removing {}: it is on another file system (a mount?)", shown);
            UniqueFd fd(
                ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!fd) return fail_errno("opening {}", shown);
            if (is_mount_root(fd.get()))
                return fail("not removing {}: something is mounted there", shown);
            KISTE_TRY(empty_dir(fd.get(), dev, shown));
            if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) < 0)
                return fail_errno("removing directory {}", shown);
            return {};
        }
        if (::unlinkat(parent, name.c_str(), 0) < 0 && errno != ENOENT)
            return fail_errno("removing {}", shown);
        return {};
    }
};

}  // namespace

std::vector<std::string> mounts_below(std::string_view mountinfo, const std::string& dir) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < mountinfo.size()) {
        size_t end = mountinfo.find('\n', start);
        if (end == std::string_view::npos) end = mountinfo.size();
        std::string_view line = mountinfo.substr(start, end - start);
        start = end + 1;
        // "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...": the fifth field.
        size_t pos = 0;
        for (int field = 0; field < 4 && pos != std::string_view::npos; ++field) {
            pos = line.find(' ', pos);
            if (pos != std::string_view::npos) ++pos;
        }
        if (pos == std::string_view::npos) continue;
        size_t stop = line.find(' ', pos);
        std::string mp = unescape_octal(
            line.substr(pos, stop == std::string_view::npos ? std::string_view::npos : stop - pos));
        if (at_or_below(mp, dir)) out.push_back(std::move(mp));
    }
    return out;
}

Result<std::vector<std::string>> mounts_below_path(const std::string& path) {
    char real[PATH_MAX];
    if (::realpath(path.c_str(), real) == nullptr) {
        if (errno == ENOENT) return std::vector<std::string>{};
        return fail_errno("resolving {}", path);
    }
    std::ifstream f("/proc/self/mountinfo");
    if (!f) return fail_errno("reading /proc/self/mountinfo");
    std::stringstream ss;
    ss << f.rdbuf();
    return mounts_below(ss.str(), real);
}

Status remove_tree(const std::string& path) {
    if (path.empty() || path.front() != '/')
        return fail("refusing to remove '{}': not an absolute path", path);
    std::string p = path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    if (p == "/") return fail("refusing to remove /");
    auto slash = p.rfind('/');
    std::string parent = slash == 0 ? "/" : p.substr(0, slash);
    std::string name = p.substr(slash + 1);
    if (name == "." || name == "..") return fail("refusing to remove '{}'", path);
    UniqueFd pfd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!pfd) {
        if (errno == ENOENT) return {};
        return fail_errno("opening {}", parent);
    }
    struct stat st {};
    if (::fstatat(pfd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT) return {};
        return fail_errno("stat {}", p);
    }
    // The top directory fixes the file system; when it is a mount root
    // itself, removal stops at once.
    return Walker{}.remove_entry(pfd.get(), name, st.st_dev, p);
}

Status remove_tree_checked(const std::string& path) {
    auto mounts = KISTE_TRY(mounts_below_path(path));
    if (!mounts.empty()) {
        std::string list;
        for (const auto& m : mounts) list += (list.empty() ? "" : ", ") + m;
        return fail("not removing {}: mounted below it: {} (unmount first)", path, list);
    }
    return remove_tree(path);
}

}  // namespace kiste::tmpl
