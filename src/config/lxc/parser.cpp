// The config file reader: `key = value` lines, '#' comments, blank lines,
// lxc.include of files and directories (their *.conf files, sorted), with
// include loops detected. Each line goes through the key registry.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "base/unique_fd.hpp"
#include "config/lxc/keys.hpp"

namespace kiste::lxc {

namespace detail {

struct ParseState {
    // The files being read, outermost first: {as named, canonical path}.
    std::vector<std::pair<std::string, std::string>> stack;
};

namespace {

constexpr size_t kMaxIncludeDepth = 32;

std::string canonical(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) return path;
    return buf;
}

Status parse_text(LxcConfig& cfg, std::string_view text, const std::string& name,
                  const std::string& base_dir, ParseState& state) {
    size_t lineno = 0;
    for (auto raw : split_on(text, '\n')) {
        ++lineno;
        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') continue;
        std::string origin = fmt::format("{}:{}", name, lineno);
        size_t eq = line.find('=');
        if (eq == std::string_view::npos)
            return fail("{}: invalid line '{}': expected KEY = VALUE", origin, line);
        std::string_view key = trim(line.substr(0, eq));
        if (key.empty()) return fail("{}: invalid line '{}': the key is missing", origin, line);
        std::string_view value = unquote(trim(line.substr(eq + 1)));
        KISTE_TRY(set_key_at(cfg, key, value, origin, base_dir, &state));
    }
    return {};
}

Status include_file(LxcConfig& cfg, const std::string& path, std::string_view origin,
                    ParseState& state) {
    const std::string real = canonical(path);
    auto loop = std::find_if(state.stack.begin(), state.stack.end(),
                             [&](const auto& f) { return f.second == real; });
    if (loop != state.stack.end()) {
        std::string chain;
        for (auto it = loop; it != state.stack.end(); ++it) chain += it->first + " -> ";
        return fail("{}: lxc.include: include loop: {}{}", origin, chain, path);
    }
    if (state.stack.size() >= kMaxIncludeDepth)
        return fail("{}: lxc.include: includes nest deeper than {} files", origin,
                    kMaxIncludeDepth);
    auto text = read_text_file(path);
    if (!text) {
        Error e = text.error();
        return fail(Error(e.code(), fmt::format("{}: lxc.include: {}", origin, e.message(false))));
    }
    state.stack.emplace_back(path, real);
    auto st = parse_text(cfg, *text, path, dir_name(path), state);
    state.stack.pop_back();
    if (!st) return st;
    cfg.includes.push_back(path);
    return {};
}

Status include_dir(LxcConfig& cfg, const std::string& dir, std::string_view origin,
                   ParseState& state) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr)
        return fail(Error::from_errno(
            fmt::format("{}: lxc.include: cannot read directory '{}'", origin, dir)));
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        // LXC's do_includedir: "*.conf" with at least one character before it.
        if (n.size() >= 6 && n.ends_with(".conf")) names.emplace_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
        std::string path = join_path(dir, n);
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
        KISTE_TRY(include_file(cfg, path, origin, state));
    }
    return {};
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno("cannot read '{}'", path);
    std::string out;
    char buf[8192];
    while (true) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("cannot read '{}'", path);
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

Status include_path(LxcConfig& cfg, std::string_view value, std::string_view origin,
                    std::string_view base_dir, ParseState* state) {
    if (value.empty()) {  // LXC: an empty lxc.include clears the list of includes
        cfg.includes.clear();
        return {};
    }
    ParseState local;
    ParseState& s = state ? *state : local;
    std::string path = join_path(base_dir, value);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        return include_dir(cfg, path, origin, s);
    return include_file(cfg, path, origin, s);
}

}  // namespace detail

using namespace detail;

Result<LxcConfig> load_file(const std::string& path) {
    std::string text = KISTE_TRY(read_text_file(path));
    LxcConfig cfg;
    cfg.config_file = path;
    ParseState state;
    state.stack.emplace_back(path, canonical(path));
    KISTE_TRY(parse_text(cfg, text, path, dir_name(path), state));
    return cfg;
}

Result<LxcConfig> load_string(std::string_view text, const std::string& origin_name) {
    LxcConfig cfg;
    ParseState state;
    KISTE_TRY(parse_text(cfg, text, origin_name, dir_name(origin_name), state));
    return cfg;
}

}  // namespace kiste::lxc
