#include "rootfs/safe_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>

#include <cerrno>

namespace kiste::rootfs {

namespace {
constexpr uint64_t kResolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
constexpr int kPathFlags = O_PATH | O_CLOEXEC;
}  // namespace

std::string fd_path(int fd) {
    return fmt::format("/proc/self/fd/{}", fd);
}

Result<UniqueFd> open_in_root(Sys& sys, int root, std::string_view path) {
    std::string p = path.empty() ? std::string(".") : std::string(path);
    return sys.openat2(root, p.c_str(), kPathFlags, 0, kResolve);
}

std::pair<std::string, std::string> split_parent(std::string_view path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return {"", std::string(path)};
    return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

Result<UniqueFd> create_in_root(Sys& sys, int root, std::string_view path, MountEntry::Create kind,
                                mode_t file_mode) {
    if (auto fd = open_in_root(sys, root, path); fd || fd.error().code() != ENOENT) return fd;

    // Walk from the root; resolve each prefix afresh from the root (a
    // symlinked component is followed as the kernel does inside the root).
    UniqueFd cur = KISTE_TRY(open_in_root(sys, root, ""));
    std::string prefix;
    size_t start = 0;
    while (start < path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string name(path.substr(start, end - start));
        const bool last = end == path.size();
        start = end + 1;
        if (!prefix.empty()) prefix += '/';
        prefix += name;

        auto next = open_in_root(sys, root, prefix);
        if (!next && next.error().code() != ENOENT) return std::unexpected(next.error());
        if (!next) {
            if (last && kind == MountEntry::Create::File) {
                // O_EXCL: never through a symlink, even a dangling one.
                auto made =
                    sys.openat(cur.get(), name.c_str(),
                               O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, file_mode);
                if (!made && made.error().code() != EEXIST)
                    return with_context(std::move(made), "creating /{}", prefix);
            } else {
                auto made = sys.mkdirat(cur.get(), name.c_str(), 0755);
                if (!made && made.error().code() != EEXIST)
                    return fail(
                        std::move(made.error()).context(fmt::format("creating /{}", prefix)));
            }
            next = open_in_root(sys, root, prefix);
            if (!next && next.error().code() == ENOENT)
                return fail("/{} is a dangling symlink: refusing to create through it", prefix);
            if (!next) return std::unexpected(next.error());
        }
        cur = std::move(*next);
    }
    return cur;
}

}  // namespace kiste::rootfs
