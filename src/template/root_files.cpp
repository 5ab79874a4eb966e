#include "template/root_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/sys.hpp"
#include "rootfs/safe_path.hpp"

namespace kiste::tmpl {

namespace {

Result<UniqueFd> parent_of(int root, std::string_view rel, std::string& name) {
    auto [parent, base] = rootfs::split_parent(rel);
    if (base.empty() || base == "." || base == "..") return fail("bad path /{}", rel);
    name = base;
    RealSys sys;
    return rootfs::create_in_root(sys, root, parent, MountEntry::Create::Dir);
}

std::string strip(std::string_view rel) {
    while (rel.starts_with('/')) rel.remove_prefix(1);
    return std::string(rel);
}

}  // namespace

Result<UniqueFd> open_root(const std::string& rootfs) {
    UniqueFd fd(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return fail_errno("opening rootfs {}", rootfs);
    return fd;
}

Status write_in_root(int root, std::string_view rel_in, std::string_view content, mode_t mode) {
    const std::string rel = strip(rel_in);
    std::string name;
    UniqueFd dir = KISTE_TRY_CTX(parent_of(root, rel, name), "writing /{}", rel);
    const std::string tmp = ".kiste-new." + name;
    ::unlinkat(dir.get(), tmp.c_str(), 0);
    UniqueFd f(::openat(dir.get(), tmp.c_str(),
                        O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!f) return fail_errno("creating /{}", rel);
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(f.get(), content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::unlinkat(dir.get(), tmp.c_str(), 0);
            return fail(Error(err, fmt::format("writing /{}", rel)));
        }
        done += static_cast<size_t>(n);
    }
    // A replaced file keeps its owner (/etc/shadow is root:shadow).
    struct stat old {};
    if (::fstatat(dir.get(), name.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode))
        if (::fchown(f.get(), old.st_uid, old.st_gid) < 0) return fail_errno("chown /{}", rel);
    if (::fchmod(f.get(), mode) < 0) return fail_errno("chmod /{}", rel);
    f.reset();
    if (::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) < 0) {
        const int err = errno;
        ::unlinkat(dir.get(), tmp.c_str(), 0);
        return fail(Error(err, fmt::format("replacing /{}", rel)));
    }
    return {};
}

Result<std::optional<std::string>> read_in_root(int root, std::string_view rel_in) {
    const std::string rel = strip(rel_in);
    RealSys sys;
    auto fd = sys.openat2(root, rel.c_str(), O_RDONLY | O_CLOEXEC, 0,
                          RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (!fd && fd.error().code() == ENOENT) return std::optional<std::string>{};
    if (!fd) return fail(std::move(fd.error()).context(fmt::format("reading /{}", rel)));
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd->get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno("reading /{}", rel);
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return std::optional<std::string>(std::move(out));
}

Status symlink_in_root(int root, std::string_view rel_in, std::string_view target) {
    const std::string rel = strip(rel_in);
    std::string name;
    UniqueFd dir = KISTE_TRY_CTX(parent_of(root, rel, name), "linking /{}", rel);
    if (::unlinkat(dir.get(), name.c_str(), 0) < 0 && errno != ENOENT)
        return fail_errno("replacing /{}", rel);
    const std::string t(target);
    if (::symlinkat(t.c_str(), dir.get(), name.c_str()) < 0)
        return fail_errno("symlink /{} -> {}", rel, t);
    return {};
}

Status remove_in_root(int root, std::string_view rel_in) {
    const std::string rel = strip(rel_in);
    std::string name;
    UniqueFd dir = KISTE_TRY_CTX(parent_of(root, rel, name), "removing /{}", rel);
    if (::unlinkat(dir.get(), name.c_str(), 0) < 0 && errno != ENOENT)
        return fail_errno("removing /{}", rel);
    return {};
}

Status remove_files_in_root(int root, std::string_view dir_in, std::string_view suffix) {
    const std::string rel = strip(dir_in);
    RealSys sys;
    auto dir =
        sys.openat2(root, rel.empty() ? "." : rel.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0,
                    RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (!dir && dir.error().code() == ENOENT) return {};
    if (!dir) return fail(std::move(dir.error()).context(fmt::format("opening /{}", rel)));
    int fd = ::fcntl(dir->get(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return fail_errno("dup");
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
        ::close(fd);
        return fail_errno("reading /{}", rel);
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d))
        if (std::string_view(e->d_name).ends_with(suffix)) names.emplace_back(e->d_name);
    ::closedir(d);
    for (const auto& n : names) {
        struct stat st {};
        if (::fstatat(dir->get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (::unlinkat(dir->get(), n.c_str(), 0) < 0 && errno != ENOENT)
            return fail_errno("removing /{}/{}", rel, n);
    }
    return {};
}

Status mkdirs_in_root(int root, std::string_view rel) {
    RealSys sys;
    KISTE_TRY(rootfs::create_in_root(sys, root, strip(rel), MountEntry::Create::Dir));
    return {};
}

bool exists_in_root(int root, std::string_view rel) {
    RealSys sys;
    return rootfs::open_in_root(sys, root, strip(rel)).has_value();
}

}  // namespace kiste::tmpl
