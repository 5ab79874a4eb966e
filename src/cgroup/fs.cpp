#include "cgroup/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <thread>

namespace kiste::cgroup {

Result<Dir> open_dir(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return fail_errno("cannot open cgroup {}", path);
    return Dir{std::move(fd), path};
}

Result<Dir> open_subdir(const Dir& parent, const std::string& name) {
    UniqueFd fd(::openat(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return fail_errno("cannot open cgroup {}", parent.file(name));
    return Dir{std::move(fd), parent.file(name)};
}

Result<std::string> read_file(const Dir& d, const std::string& name) {
    UniqueFd fd(::openat(d.get(), name.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno("cannot open {}", d.file(name));
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("cannot read {}", d.file(name));
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

Status write_file(const Dir& d, const std::string& name, const std::string& value) {
    UniqueFd fd(::openat(d.get(), name.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd) return fail_errno("cannot open {}", d.file(name));
    ssize_t n = 0;
    do {
        n = ::write(fd.get(), value.data(), value.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) return fail_errno("writing '{}' to {}", value, d.file(name));
    if (static_cast<size_t>(n) != value.size())
        return fail("writing '{}' to {}: short write", value, d.file(name));
    return {};
}

bool file_exists(const Dir& d, const std::string& name) {
    return ::faccessat(d.get(), name.c_str(), F_OK, 0) == 0;
}

bool dir_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::optional<uint64_t> keyed_value(const std::string& text, std::string_view key) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ') {
            uint64_t v = 0;
            auto num = line.substr(key.size() + 1);
            auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
            if (ec == std::errc()) return v;
            return std::nullopt;
        }
        pos = end + 1;
    }
    return std::nullopt;
}

Status mkdir_path(const std::string& base, const std::string& rel,
                  const std::function<Status(const Dir& parent, const Dir& child)>& on_created,
                  std::vector<std::string>* created) {
    // The common case: every component but the last exists (kiste.payload
    // stays), nobody watches each level: one mkdir instead of an open and a
    // mkdir per level. Anything else takes the walk below.
    if (!on_created && !rel.empty()) {
        const std::string path = base + "/" + rel;
        if (::mkdir(path.c_str(), 0755) == 0) {
            if (created) created->push_back(path);
            return {};
        }
        if (errno == EEXIST && dir_exists(path)) return {};
        if (errno != ENOENT) return fail_errno("cannot create cgroup {}", path);
    }
    Dir cur = KISTE_TRY(open_dir(base));
    size_t start = 0;
    while (start < rel.size()) {
        size_t end = rel.find('/', start);
        if (end == std::string::npos) end = rel.size();
        const std::string part = rel.substr(start, end - start);
        start = end + 1;
        bool made = false;
        // A monitor leaving may remove an empty kiste.monitor between our
        // mkdir and the open; retry a few times.
        for (int attempt = 0;; ++attempt) {
            if (::mkdirat(cur.get(), part.c_str(), 0755) == 0) {
                made = true;
            } else if (errno != EEXIST) {
                return fail_errno("cannot create cgroup {}", cur.file(part));
            }
            auto next = open_subdir(cur, part);
            if (next) {
                if (made) {
                    if (created) created->push_back(next->path);
                    if (on_created) KISTE_TRY(on_created(cur, *next));
                }
                cur = std::move(*next);
                break;
            }
            if (next.error().code() != ENOENT || attempt >= 5) return std::unexpected(next.error());
        }
    }
    return {};
}

namespace {

Status post_order(const std::string& path, std::vector<std::string>& out, int depth) {
    if (depth > 64) return fail("cgroup tree too deep at {}", path);
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) {
        if (errno == ENOENT && depth > 0) return {};  // removed meanwhile
        return fail_errno("cannot list {}", path);
    }
    std::vector<std::string> subdirs;
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (n == "." || n == "..") continue;
        bool is_dir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN) {
            struct stat st {};
            is_dir = ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                     S_ISDIR(st.st_mode);
        }
        if (is_dir) subdirs.emplace_back(n);
    }
    ::closedir(d);
    std::sort(subdirs.begin(), subdirs.end());
    for (const auto& s : subdirs) KISTE_TRY(post_order(path + "/" + s, out, depth + 1));
    out.push_back(path);
    return {};
}

}  // namespace

Result<std::vector<std::string>> tree_post_order(const std::string& path) {
    std::vector<std::string> out;
    KISTE_TRY(post_order(path, out, 0));
    return out;
}

Result<std::vector<pid_t>> procs_recursive(const std::string& path) {
    auto dirs = KISTE_TRY(tree_post_order(path));
    std::vector<pid_t> pids;
    for (const auto& dpath : dirs) {
        auto d = open_dir(dpath);
        if (!d) {
            if (d.error().code() == ENOENT) continue;
            return std::unexpected(d.error());
        }
        auto text = read_file(*d, "cgroup.procs");
        if (!text) {
            if (text.error().code() == ENOENT || text.error().code() == ENODEV) continue;
            return std::unexpected(text.error());
        }
        size_t pos = 0;
        while (pos < text->size()) {
            size_t end = text->find('\n', pos);
            if (end == std::string::npos) end = text->size();
            pid_t pid = 0;
            auto [p, ec] = std::from_chars(text->data() + pos, text->data() + end, pid);
            if (ec == std::errc() && pid > 0) pids.push_back(pid);
            pos = end + 1;
        }
    }
    std::sort(pids.begin(), pids.end());
    pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
    return pids;
}

Status remove_tree(const std::string& path, int busy_ms) {
    // Most cgroups have no children: one rmdir, no listing.
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return {};
    auto dirs = KISTE_TRY(tree_post_order(path));
    for (const auto& d : dirs) {
        int waited = 0, step = 1;
        while (::rmdir(d.c_str()) != 0) {
            if (errno == ENOENT) break;
            if (errno != EBUSY || waited >= busy_ms)
                return fail_errno("cannot remove cgroup {}", d);
            std::this_thread::sleep_for(std::chrono::milliseconds(step));
            waited += step;
            step = std::min(step * 2, 50);
        }
    }
    return {};
}

}  // namespace kiste::cgroup
