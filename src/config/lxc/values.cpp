// Value parsers shared by the key families: numbers, sizes, signals, time
// offsets, capabilities, rlimits, namespace names, idmaps, command lines.
// Network values are in values_net.cpp; cgroup values in cgroup/values.hpp.
#include "config/lxc/values.hpp"

#include <sys/capability.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <csignal>
#include <limits>

#include "cgroup/values.hpp"
#include "config/lxc/config.hpp"

namespace kiste::lxc {

Result<std::vector<std::string>> split_command(std::string_view command) {
    std::vector<std::string> out;
    std::string word;
    bool in_word = false;
    for (size_t i = 0; i < command.size(); ++i) {
        char c = command[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) out.push_back(std::move(word));
            word.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\') {
            if (i + 1 >= command.size()) return fail("a trailing backslash escapes nothing");
            word += command[++i];
        } else if (c == '\'') {
            size_t end = command.find('\'', i + 1);
            if (end == std::string_view::npos) return fail("unterminated single quote");
            word.append(command.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '"') {
            size_t j = i + 1;
            for (; j < command.size() && command[j] != '"'; ++j) {
                // Inside "...", a backslash escapes only what the shell lets it.
                if (command[j] == '\\' && j + 1 < command.size() &&
                    std::string_view("\"\\$`").find(command[j + 1]) != std::string_view::npos)
                    ++j;
                word += command[j];
            }
            if (j >= command.size()) return fail("unterminated double quote");
            i = j;
        } else {
            word += c;
        }
    }
    if (in_word) out.push_back(std::move(word));
    return out;
}

}  // namespace kiste::lxc

namespace kiste::lxc::detail {

// ------------------------------------------------------------------ text
std::string_view trim(std::string_view s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::vector<std::string_view> split_on(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t b = 0;
    while (true) {
        size_t e = s.find(sep, b);
        out.push_back(s.substr(b, e == std::string_view::npos ? e : e - b));
        if (e == std::string_view::npos) break;
        b = e + 1;
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && lower(a) == lower(b);
}

std::string join_path(std::string_view base_dir, std::string_view path) {
    if (path.empty() || path.front() == '/' || base_dir.empty()) return std::string(path);
    std::string out(base_dir);
    if (out.back() != '/') out += '/';
    out += path;
    return out;
}

std::string dir_name(std::string_view path) {
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return {};
    if (slash == 0) return "/";
    return std::string(path.substr(0, slash));
}

std::string_view unquote(std::string_view v) {
    if (v.size() > 1 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front())
        return v.substr(1, v.size() - 2);
    return v;
}

// ------------------------------------------------------------------ numbers
Result<uint64_t> parse_u64(std::string_view s) {
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        return fail("expected a non-negative integer");
    return n;
}

Result<int64_t> parse_i64(std::string_view s) {
    int64_t n = 0;
    std::string_view digits = (!s.empty() && s.front() == '+') ? s.substr(1) : s;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size())
        return fail("expected an integer");
    return n;
}

Result<uint32_t> parse_u32(std::string_view s) {
    uint64_t n = KISTE_TRY(parse_u64(s));
    if (n > std::numeric_limits<uint32_t>::max()) return fail("expected an integer below 2^32");
    return static_cast<uint32_t>(n);
}

Result<bool> parse_bool01(std::string_view s) {
    if (s == "0") return false;
    if (s == "1") return true;
    return fail("expected 0 or 1");
}

Result<uint64_t> parse_size(std::string_view s) {
    auto n = cgroup::parse_bytes(s, {.unlimited = false, .b_suffix = true});
    if (!n) return fail("expected a size in bytes with an optional K, M, G or T suffix");
    return static_cast<uint64_t>(*n);
}

Result<uint64_t> parse_console_size(std::string_view s) {
    if (s == "auto") return uint64_t{128} * 1024;
    return parse_size(s);
}

Result<int64_t> parse_time_offset(std::string_view s) {
    constexpr std::string_view kWant =
        "expected an integer with a unit h, m, s, ms, us or ns (e.g. 5s)";
    size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    size_t d = i;
    while (d < s.size() && std::isdigit(static_cast<unsigned char>(s[d]))) ++d;
    if (d == i) return fail("{}", kWant);
    auto n = parse_i64(s.substr(0, d));
    if (!n) return fail("{}", kWant);
    std::string_view unit = trim(s.substr(d));
    int64_t mul = 0;
    if (unit == "h")
        mul = 3600'000'000'000;
    else if (unit == "m")
        mul = 60'000'000'000;
    else if (unit == "s")
        mul = 1'000'000'000;
    else if (unit == "ms")
        mul = 1'000'000;
    else if (unit == "us")
        mul = 1'000;
    else if (unit == "ns")
        mul = 1;
    else
        return fail("{}", kWant);
    int64_t out = 0;
    if (__builtin_mul_overflow(*n, mul, &out)) return fail("offset too large");
    return out;
}

std::string format_time_offset(int64_t ns) {
    struct Unit {
        int64_t mul;
        const char* name;
    };
    static constexpr Unit kUnits[] = {{3600'000'000'000, "h"}, {60'000'000'000, "m"},
                                      {1'000'000'000, "s"},    {1'000'000, "ms"},
                                      {1'000, "us"},           {1, "ns"}};
    if (ns == 0) return "0s";
    for (const auto& u : kUnits)
        if (ns % u.mul == 0) return std::to_string(ns / u.mul) + u.name;
    return std::to_string(ns) + "ns";
}

// ------------------------------------------------------------------ signals
namespace {
struct SigName {
    std::string_view name;
    int num;
};
constexpr SigName kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};
}  // namespace

Result<int> parse_signal(std::string_view s, bool allow_zero) {
    constexpr std::string_view kWant =
        "expected a signal name or number (e.g. SIGTERM, SIGRTMIN+3, 15)";
    const int max = SIGRTMAX;
    if (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
        auto n = parse_u64(s);
        if (!n) return fail("{}", kWant);
        if ((*n == 0 && !allow_zero) || *n > static_cast<uint64_t>(max))
            return fail("signal number out of range (1..{})", max);
        return static_cast<int>(*n);
    }
    std::string name(s);
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (name.starts_with("SIG")) name.erase(0, 3);
    for (const auto& sig : kSignals)
        if (sig.name == name) return sig.num;
    auto rt = [&](std::string_view base, int origin, int dir) -> Result<int> {
        std::string_view rest = std::string_view(name).substr(base.size());
        if (rest.empty()) return origin;
        if (rest.front() != (dir > 0 ? '+' : '-')) return fail("{}", kWant);
        auto off = parse_u64(rest.substr(1));
        if (!off) return fail("{}", kWant);
        int64_t n = origin + dir * static_cast<int64_t>(*off);
        if (n < SIGRTMIN || n > SIGRTMAX)
            return fail("real-time signal out of range (SIGRTMIN..SIGRTMAX = {}..{})", SIGRTMIN,
                        SIGRTMAX);
        return static_cast<int>(n);
    };
    if (name.starts_with("RTMIN")) return rt("RTMIN", SIGRTMIN, +1);
    if (name.starts_with("RTMAX")) return rt("RTMAX", SIGRTMAX, -1);
    return fail("{}", kWant);
}

// ------------------------------------------------------------------ capabilities
Result<std::string> canonical_cap(std::string_view s) {
    if (s.empty()) return fail("empty capability name");
    if (std::isdigit(static_cast<unsigned char>(s.front()))) {
        auto n = parse_u64(s);
        if (!n || *n > 63) return fail("capability number out of range (0..63)");
        return std::to_string(*n);
    }
    std::string name = lower(s);
    if (name.starts_with("cap_")) name.erase(0, 4);
    std::string full = "cap_" + name;
    cap_value_t v = -1;
    if (::cap_from_name(full.c_str(), &v) != 0 || v < 0)
        return fail("unknown capability (see capabilities(7); e.g. sys_admin or CAP_SYS_ADMIN)");
    return name;
}

// ------------------------------------------------------------------ rlimits
namespace {
struct RlimitName {
    std::string_view name;
    int resource;
};
constexpr RlimitName kRlimits[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};
constexpr auto kRlimitNames = [] {
    std::array<std::string_view, std::size(kRlimits)> out{};
    for (size_t i = 0; i < out.size(); ++i) out[i] = kRlimits[i].name;
    return out;
}();
}  // namespace

std::span<const std::string_view> rlimit_names() {
    return kRlimitNames;
}

std::optional<int> rlimit_from_name(std::string_view name) {
    for (const auto& r : kRlimits)
        if (r.name == name) return r.resource;
    return std::nullopt;
}

Result<std::pair<uint64_t, uint64_t>> parse_rlimit_value(std::string_view s) {
    auto one = [](std::string_view v) -> Result<uint64_t> {
        if (v == "unlimited") return uint64_t{RLIM_INFINITY};
        auto n = parse_u64(v);
        if (!n) return fail("expected SOFT[:HARD], each a number or 'unlimited'");
        return *n;
    };
    size_t colon = s.find(':');
    if (colon == std::string_view::npos) {
        uint64_t v = KISTE_TRY(one(s));
        return std::pair{v, v};
    }
    uint64_t soft = KISTE_TRY(one(s.substr(0, colon)));
    uint64_t hard = KISTE_TRY(one(s.substr(colon + 1)));
    if (hard != RLIM_INFINITY && (soft == RLIM_INFINITY || soft > hard))
        return fail("the soft limit is above the hard limit");
    return std::pair{soft, hard};
}

std::string format_rlimit_value(uint64_t soft, uint64_t hard) {
    auto one = [](uint64_t v) {
        return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
    };
    if (soft == hard) return one(soft);
    return one(soft) + ":" + one(hard);
}

// ------------------------------------------------------------------ namespaces
namespace {
constexpr std::string_view kNsNames[] = {"cgroup", "ipc",  "mnt",  "net",
                                         "pid",    "time", "user", "uts"};
}

std::span<const std::string_view> ns_names() {
    return kNsNames;
}

std::optional<NsKind> ns_from_name(std::string_view name) {
    for (NsKind k : kAllNamespaces)
        if (name == ns_name(k)) return k;
    if (name == "mount") return NsKind::Mount;
    return std::nullopt;
}

Result<std::string> canonical_ns(std::string_view name) {
    auto k = ns_from_name(name);
    if (!k)
        return fail(
            "unknown namespace '{}' (expected cgroup, ipc, mnt, net, pid, time, user or uts)",
            name);
    return std::string(ns_name(*k));
}

// ------------------------------------------------------------------ idmap
Result<IdmapLine> parse_idmap(std::string_view s) {
    constexpr std::string_view kWant =
        "expected 'u|g CONTAINER_ID HOST_ID COUNT' (e.g. u 0 100000 65536)";
    auto f = split_blanks(s);
    if (f.size() != 4 || f[0].size() != 1 || (f[0][0] != 'u' && f[0][0] != 'g'))
        return fail("{}", kWant);
    auto c = parse_u32(f[1]);
    auto h = parse_u32(f[2]);
    auto n = parse_u32(f[3]);
    if (!c || !h || !n) return fail("{}", kWant);
    if (*n == 0) return fail("the range must hold at least one id");
    if (uint64_t{*c} + *n - 1 > 0xFFFFFFFEu || uint64_t{*h} + *n - 1 > 0xFFFFFFFEu)
        return fail("the range passes the largest id (4294967294)");
    return IdmapLine{f[0][0], IdMapping{*c, *h, *n}};
}

// ------------------------------------------------------------------ words
Result<std::string> one_of(std::string_view v, std::span<const std::string_view> allowed) {
    for (auto a : allowed)
        if (a == v) return std::string(v);
    std::string list;
    for (size_t i = 0; i < allowed.size(); ++i) {
        if (i) list += i + 1 == allowed.size() ? " or " : ", ";
        list += allowed[i];
    }
    return fail("expected {}", list);
}

Result<std::string> AbsPathCodec::parse(std::string_view v) {
    if (v.front() != '/') return fail("expected an absolute path");
    return std::string(v);
}

}  // namespace kiste::lxc::detail
