// The config file reader: `key = value` lines, '#' comments, blank lines,
// lxc.include of files and directories (their *.conf files, sorted), with
// include loops detected. Each line goes through the key registry.
//
// Only regular files are read, and one load reads a bounded amount
// (limits.hpp): a config may come from a user who should not be able to
// hang kiste (an include of a FIFO) or fill the host's memory (/dev/zero,
// or files that each include the next one twice).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>

#include "base/unique_fd.hpp"
#include "config/lxc/keys.hpp"
#include "config/lxc/limits.hpp"

namespace kiste::lxc {

namespace detail {

struct ParseState {
    // The files being read, outermost first: {as named, canonical path}.
    std::vector<std::pair<std::string, std::string>> stack;
    size_t files = 0;  // files read by this load so far
    size_t bytes = 0;  // and their size together
};

namespace {

std::string canonical(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) return path;
    return buf;
}

std::string mib(size_t bytes) {
    return fmt::format("{} MiB", bytes >> 20);
}

std::string_view file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

std::unexpected<Error> too_big(const std::string& path, std::string_view size) {
    return fail("cannot read '{}': {} bytes, over kiste's limit of {} for one config file", path,
                size, mib(kMaxConfigFileBytes));
}

// The offset of the first byte that is not part of valid UTF-8 (overlong
// forms, surrogates and code points above U+10FFFF are invalid), or npos.
size_t invalid_utf8_at(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len = 0;
        uint32_t cp = 0;
        uint32_t min = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (s.size() - i < len) return i;
        for (size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return std::string_view::npos;
}

// A config is text: a NUL byte anywhere is an error (LXC ends a line at
// one, kiste's values would be cut short there), and so is invalid UTF-8
// outside comments (a comment's bytes reach nothing, and old configs carry
// Latin-1 comments).
Status check_text(std::string_view raw, std::string_view line, std::string_view origin) {
    if (size_t nul = raw.find('\0'); nul != std::string_view::npos)
        return fail("{}: a NUL byte at column {}: a config file holds text only", origin, nul + 1);
    if (line.empty() || line.front() == '#') return {};
    if (size_t bad = invalid_utf8_at(line); bad != std::string_view::npos) {
        const size_t column = static_cast<size_t>(line.data() - raw.data()) + bad + 1;
        return fail("{}: invalid UTF-8 at column {} (byte 0x{:02x}): config lines must be UTF-8",
                    origin, column, static_cast<unsigned char>(line[bad]));
    }
    return {};
}

Status parse_text(LxcConfig& cfg, std::string_view text, const std::string& name,
                  const std::string& base_dir, ParseState& state) {
    size_t lineno = 0;
    for (auto raw : split_on(text, '\n')) {
        ++lineno;
        std::string_view line = trim(raw);
        std::string origin = fmt::format("{}:{}", name, lineno);
        KISTE_TRY(check_text(raw, line, origin));
        if (line.empty() || line.front() == '#') continue;
        size_t eq = line.find('=');
        if (eq == std::string_view::npos)
            return fail("{}: invalid line '{}': expected KEY = VALUE", origin, abbreviated(line));
        std::string_view key = trim(line.substr(0, eq));
        if (key.empty())
            return fail("{}: invalid line '{}': the key is missing", origin, abbreviated(line));
        std::string_view value = unquote(trim(line.substr(eq + 1)));
        KISTE_TRY(set_key_at(cfg, key, value, origin, base_dir, &state));
    }
    return {};
}

// One more file for this load, within the bounds on files and bytes.
Result<std::string> read_for_load(const std::string& path, ParseState& state) {
    if (state.files >= kMaxConfigFiles)
        return fail(
            "'{}': one config may read at most {} files (kiste's limit; files that include "
            "each other more than once multiply)",
            path, kMaxConfigFiles);
    std::string text = KISTE_TRY(read_text_file(path));
    if (text.size() > kMaxConfigTotalBytes - state.bytes)
        return fail("'{}': the files of this config exceed kiste's limit of {} together", path,
                    mib(kMaxConfigTotalBytes));
    ++state.files;
    state.bytes += text.size();
    return text;
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
        return fail("{}: lxc.include: includes nest deeper than {} files (kiste's limit)", origin,
                    kMaxIncludeDepth);
    auto text = read_for_load(path, state);
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

// `missing_ok`: LXC includes nothing for a missing directory named with a
// trailing '/' ("lxc.include = .../userns.conf.d/", lxc/lxc#3896), so that
// its stock configs can name drop-in directories nobody created; without
// the '/' a missing path is a missing file, an error.
Status include_dir(LxcConfig& cfg, const std::string& dir, std::string_view origin,
                   ParseState& state, bool missing_ok) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        if (errno == ENOENT && missing_ok) return {};
        return fail(Error::from_errno(
            fmt::format("{}: lxc.include: cannot read directory '{}'", origin, dir)));
    }
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

// The file is opened only when stat() calls it a regular file (opening some
// devices acts: a watchdog starts counting), and non-blocking so that a FIFO
// put in its place meanwhile cannot hang the open; fstat() then proves that
// the opened file is the regular file checked.
Result<std::string> read_text_file(const std::string& path) {
    struct stat before {};
    if (::stat(path.c_str(), &before) != 0) return fail_errno("cannot read '{}'", path);
    if (!S_ISREG(before.st_mode))
        return fail("cannot read '{}': it is {}, not a regular file", path,
                    file_kind(before.st_mode));
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd) return fail_errno("cannot read '{}'", path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail_errno("cannot read '{}'", path);
    if (!S_ISREG(st.st_mode) || st.st_dev != before.st_dev || st.st_ino != before.st_ino)
        return fail("cannot read '{}': it was replaced while being opened", path);
    if (static_cast<uint64_t>(st.st_size) > kMaxConfigFileBytes)
        return too_big(path, std::to_string(st.st_size));
    std::string out;
    out.reserve(static_cast<size_t>(st.st_size));
    char buf[8192];
    while (true) {
        // One byte more than the limit tells a file that grew while read.
        const size_t want = std::min(sizeof buf, kMaxConfigFileBytes + 1 - out.size());
        ssize_t n = ::read(fd.get(), buf, want);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("cannot read '{}'", path);
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > kMaxConfigFileBytes)
            return too_big(path, fmt::format("more than {}", kMaxConfigFileBytes));
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
    const bool named_as_dir = value.ends_with('/');
    struct stat st {};
    const bool is_dir = ::stat(path.c_str(), &st) == 0 ? S_ISDIR(st.st_mode) : named_as_dir;
    if (is_dir) return include_dir(cfg, path, origin, s, named_as_dir);
    return include_file(cfg, path, origin, s);
}

}  // namespace detail

using namespace detail;

Result<LxcConfig> load_file(const std::string& path) {
    ParseState state;
    std::string text = KISTE_TRY(read_for_load(path, state));
    LxcConfig cfg;
    cfg.config_file = path;
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
