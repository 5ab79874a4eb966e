#include "attach/procfs.hpp"

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "security/environment.hpp"

namespace kiste::attach {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Calls f(line) for every line of text.
template <class F>
void for_each_line(std::string_view text, F&& f) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        f(text.substr(pos, eol - pos));
        pos = eol + 1;
    }
}

std::vector<std::string_view> split_ws(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

template <class T>
std::optional<T> parse_num(std::string_view s, int base = 10) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<std::string> status_field(std::string_view status, std::string_view key) {
    std::optional<std::string> out;
    for_each_line(status, [&](std::string_view line) {
        if (out || line.size() <= key.size() || !line.starts_with(key) || line[key.size()] != ':')
            return;
        out = std::string(trim(line.substr(key.size() + 1)));
    });
    return out;
}

CapabilitySets caps_for_attached(const CapabilitySets& init, uint32_t uid) {
    CapabilitySets s;
    s.bounding = init.bounding;
    if (uid == 0) {
        s.permitted = s.effective = init.bounding;
        s.inheritable = init.inheritable & init.bounding;
    }
    return s;
}

std::optional<uint64_t> parse_hex_mask(std::string_view hex) {
    return parse_num<uint64_t>(trim(hex), 16);
}

Result<CapabilitySets> caps_from_status(std::string_view status) {
    CapabilitySets s;
    struct Want {
        const char* key;
        uint64_t* into;
        bool required;
    };
    for (const Want& w : {Want{"CapBnd", &s.bounding, true}, Want{"CapInh", &s.inheritable, true},
                          Want{"CapPrm", &s.permitted, true}, Want{"CapEff", &s.effective, true},
                          Want{"CapAmb", &s.ambient, false}}) {
        auto text = status_field(status, w.key);
        if (!text) {
            if (w.required) return fail("no {} line in the process status", w.key);
            continue;
        }
        auto v = parse_hex_mask(*text);
        if (!v) return fail("{}: '{}' is not a hexadecimal mask", w.key, *text);
        *w.into = *v;
    }
    return s;
}

std::optional<pid_t> innermost_pid(std::string_view status) {
    auto ns = status_field(status, "NSpid");
    if (!ns) ns = status_field(status, "Pid");
    if (!ns) return std::nullopt;
    auto fields = split_ws(*ns);
    if (fields.empty()) return std::nullopt;
    return parse_num<pid_t>(fields.back());
}

std::optional<uint32_t> real_uid(std::string_view status) {
    auto uid = status_field(status, "Uid");
    if (!uid) return std::nullopt;
    auto fields = split_ws(*uid);
    if (fields.empty()) return std::nullopt;
    return parse_num<uint32_t>(fields.front());
}

std::optional<PasswdEntry> passwd_by_uid(std::string_view passwd, uint32_t uid) {
    std::optional<PasswdEntry> found;
    for_each_line(passwd, [&](std::string_view line) {
        if (found || line.empty() || line.front() == '#') return;
        std::string_view f[7];
        const size_t n = security::split_passwd_line(line, f);
        if (n < 7) return;
        auto id = parse_num<uint32_t>(f[2]);
        auto gid = parse_num<uint32_t>(f[3]);
        if (!id || !gid || *id != uid) return;
        found = PasswdEntry{std::string(f[0]), *id, *gid, std::string(f[5]), std::string(f[6])};
    });
    return found;
}

std::optional<uint32_t> map_into_ns(uint32_t outer_id, std::string_view id_map) {
    std::optional<uint32_t> out;
    for_each_line(id_map, [&](std::string_view line) {
        if (out) return;
        auto f = split_ws(line);
        if (f.size() != 3) return;
        auto inside = parse_num<uint64_t>(f[0]);
        auto outside = parse_num<uint64_t>(f[1]);
        auto count = parse_num<uint64_t>(f[2]);
        if (!inside || !outside || !count) return;
        if (outer_id >= *outside && outer_id - *outside < *count)
            out = static_cast<uint32_t>(*inside + (outer_id - *outside));
    });
    return out;
}

std::vector<std::string> process_cgroup_candidates(const std::string& recorded,
                                                   std::string_view proc_cgroup) {
    std::vector<std::string> out;
    for_each_line(proc_cgroup, [&](std::string_view line) {
        // hierarchy-id:controllers:path
        size_t c1 = line.find(':');
        size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) return;
        std::string_view path = line.substr(c2 + 1);
        if (path.empty() || path.front() != '/' || path == "/") return;
        // The longest ancestor A of `path` with recorded == MOUNTPOINT + A
        // tells the mount point of this line's hierarchy; the recorded
        // directory must be one of the process's ancestors (or itself).
        std::string_view a = path;
        while (a.size() > 1) {
            if (recorded.size() > a.size() && std::string_view(recorded).ends_with(a)) {
                std::string mount = recorded.substr(0, recorded.size() - a.size());
                out.push_back(mount + std::string(path));
                return;
            }
            size_t slash = a.rfind('/');
            if (slash == 0 || slash == std::string_view::npos) break;
            a = a.substr(0, slash);
        }
    });
    return out;
}

std::string format_cpu_time(uint64_t seconds) {
    const uint64_t days = seconds / 86400;
    const uint64_t h = (seconds / 3600) % 24, m = (seconds / 60) % 60, s = seconds % 60;
    if (days > 0) return fmt::format("{}-{:02}:{:02}:{:02}", days, h, m, s);
    return fmt::format("{:02}:{:02}:{:02}", h, m, s);
}

std::string printable_cmdline(std::string_view cmdline) {
    while (!cmdline.empty() && cmdline.back() == '\0') cmdline.remove_suffix(1);
    std::string out;
    out.reserve(cmdline.size());
    for (char ch : cmdline) {
        auto c = static_cast<unsigned char>(ch);
        if (c == 0)
            out.push_back(' ');
        else if (c < 0x20 || c == 0x7f)
            out.push_back('?');
        else
            out.push_back(ch);
    }
    return out;
}

std::optional<uint64_t> cpu_ticks_from_stat(std::string_view stat) {
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    size_t close = stat.rfind(')');
    if (close == std::string_view::npos) return std::nullopt;
    auto f = split_ws(stat.substr(close + 1));
    // f[0] is field 3 (state); utime is field 14, stime field 15.
    if (f.size() < 13) return std::nullopt;
    auto ut = parse_num<uint64_t>(f[11]);
    auto st = parse_num<uint64_t>(f[12]);
    if (!ut || !st) return std::nullopt;
    return *ut + *st;
}

}  // namespace kiste::attach
