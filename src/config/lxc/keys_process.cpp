// Keys of the container's process: arch, uts.name, init.*, execute.cmd,
// signal.*, proc.*, ephemeral, environment, prlimit.*, sysctl.*,
// keyring.session, sched.core.
#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include "config/lxc/keys.hpp"

namespace kiste::lxc::detail {

namespace {

// LXC's lxc_config_parse_arch table (personality names).
constexpr std::string_view kArches[] = {
    "arm",   "armel",   "armhf",   "armv7l",    "athlon",  "i386",   "i486",
    "i586",  "i686",    "linux32", "mips",      "mipsel",  "ppc",    "powerpc",
    "x86",   "aarch64", "amd64",   "arm64",     "linux64", "mips64", "mips64el",
    "ppc64", "ppc64el", "ppc64le", "powerpc64", "riscv64", "s390x",  "x86_64",
};
struct ArchCodec {
    static Result<std::string> parse(std::string_view v) { return one_of(v, kArches); }
    static std::string format(const std::string& s) { return s; }
};

// A command line kiste will split later: checked now so errors cite the line.
struct CommandCodec {
    static Result<std::string> parse(std::string_view v) {
        KISTE_TRY(split_command(v));
        return std::string(v);
    }
    static std::string format(const std::string& s) { return s; }
};

// The kernel's nodename holds 64 characters.
struct HostnameCodec {
    static Result<std::string> parse(std::string_view v) {
        if (v.size() > 64) return fail("a host name has at most 64 characters");
        return std::string(v);
    }
    static std::string format(const std::string& s) { return s; }
};

// A user or group id. 4294967295 is (uid_t)-1: setresuid and setresgid take
// it as "keep this one", so an init "running as" it would stay root with
// every capability; no file or process can have it either.
Result<uint32_t> parse_id(std::string_view v, std::string_view type, std::string_view kind) {
    const uint32_t id = KISTE_TRY(parse_u32(v));
    if (id == std::numeric_limits<uint32_t>::max())
        return fail("4294967295 is ({})-1, which is no {} id", type, kind);
    return id;
}
struct UidCodec {
    static Result<uint32_t> parse(std::string_view v) { return parse_id(v, "uid_t", "user"); }
    static std::string format(uint32_t n) { return std::to_string(n); }
};
struct GidCodec {
    static Result<uint32_t> parse(std::string_view v) { return parse_id(v, "gid_t", "group"); }
    static std::string format(uint32_t n) { return std::to_string(n); }
};

constexpr auto kArch = [](auto& c) -> auto& {
    return c.spec.arch;
};
constexpr auto kHostname = [](auto& c) -> auto& {
    return c.spec.hostname;
};
constexpr auto kInitCmd = [](auto& c) -> auto& {
    return c.init_cmd;
};
constexpr auto kExecuteCmd = [](auto& c) -> auto& {
    return c.execute_cmd;
};
constexpr auto kInitCwd = [](auto& c) -> auto& {
    return c.spec.process.cwd;
};
constexpr auto kInitUid = [](auto& c) -> auto& {
    return c.spec.process.uid;
};
constexpr auto kInitGid = [](auto& c) -> auto& {
    return c.spec.process.gid;
};
constexpr auto kHalt = [](auto& c) -> auto& {
    return c.spec.signal_halt;
};
constexpr auto kReboot = [](auto& c) -> auto& {
    return c.spec.signal_reboot;
};
constexpr auto kStop = [](auto& c) -> auto& {
    return c.spec.signal_stop;
};
constexpr auto kEphemeral = [](auto& c) -> auto& {
    return c.spec.ephemeral;
};
constexpr auto kKeyring = [](auto& c) -> auto& {
    return c.spec.keyring_session;
};
constexpr auto kSchedCore = [](auto& c) -> auto& {
    return c.sched_core;
};

// ---- lxc.init.groups: comma-separated gids, appended; empty clears.
Status set_groups(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (v.empty()) {
        c.spec.process.additional_gids.clear();
        return {};
    }
    std::vector<uint32_t> add;
    for (auto part : split_on(v, ',')) {
        auto g = parse_u32(trim(part));
        if (!g) return invalid(v, "expected a comma-separated list of group ids");
        auto id = parse_id(trim(part), "gid_t", "group");
        if (!id) return invalid(v, id.error().root());
        add.push_back(*id);
    }
    auto& gids = c.spec.process.additional_gids;
    gids.insert(gids.end(), add.begin(), add.end());
    return {};
}
Result<std::string> get_groups(const LxcConfig& c, const KeyCall&) {
    std::string out;
    for (uint32_t g : c.spec.process.additional_gids) {
        if (!out.empty()) out += ',';
        out += std::to_string(g);
    }
    return out;
}
Status clear_groups(LxcConfig& c, const KeyCall&) {
    c.spec.process.additional_gids.clear();
    return {};
}

// ---- name/value maps kept as ordered pair lists: proc.*, sysctl.*
template <auto Acc>
Status set_pair(LxcConfig& c, const KeyCall& k, std::string_view v) {
    auto& list = Acc(c);
    auto it =
        std::find_if(list.begin(), list.end(), [&](const auto& p) { return p.first == k.rest; });
    if (v.empty()) {  // LXC: an empty value clears this one setting
        if (it != list.end()) list.erase(it);
        return {};
    }
    if (it != list.end())
        it->second = std::string(v);
    else
        list.emplace_back(std::string(k.rest), std::string(v));
    return {};
}
template <auto Acc>
Result<std::string> get_pair(const LxcConfig& c, const KeyCall& k) {
    for (const auto& p : Acc(c))
        if (p.first == k.rest) return p.second;
    return std::string();
}
template <auto Acc>
Status clear_pair(LxcConfig& c, const KeyCall& k) {
    std::erase_if(Acc(c), [&](const auto& p) { return p.first == k.rest; });
    return {};
}
// lxc.proc / lxc.sysctl without a suffix: an empty value clears them all.
template <auto Acc>
Status set_all_pairs(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (!v.empty()) return invalid(v, "this key only takes an empty value (it clears the list)");
    Acc(c).clear();
    return {};
}
template <auto Acc>
Result<std::string> get_all_pairs(const LxcConfig& c, const KeyCall& k) {
    std::vector<std::string> lines;
    for (const auto& p : Acc(c))
        lines.push_back(fmt::format("{}.{} = {}", k.key, p.first, p.second));
    return join_lines(lines);
}
template <auto Acc>
Status clear_all_pairs(LxcConfig& c, const KeyCall&) {
    Acc(c).clear();
    return {};
}
constexpr auto kProc = [](auto& c) -> auto& {
    return c.proc;
};
constexpr auto kSysctl = [](auto& c) -> auto& {
    return c.spec.sysctls;
};

bool valid_proc_name(std::string_view rest) {
    return !rest.empty() && rest.find('/') == std::string_view::npos && rest != "." && rest != "..";
}
bool valid_sysctl_name(std::string_view rest) {
    if (rest.empty() || rest.front() == '.' || rest.back() == '.') return false;
    return std::all_of(rest.begin(), rest.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' ||
               ch == '-' || ch == '/';
    });
}

// ---- lxc.prlimit.NAME
Status set_prlimit(LxcConfig& c, const KeyCall& k, std::string_view v) {
    auto& list = c.spec.process.rlimits;
    auto it =
        std::find_if(list.begin(), list.end(), [&](const Rlimit& r) { return r.name == k.rest; });
    if (v.empty()) {
        if (it != list.end()) list.erase(it);
        return {};
    }
    auto [soft, hard] = KISTE_TRY(checked(parse_rlimit_value(v), v));
    Rlimit r{.resource = *rlimit_from_name(k.rest),
             .name = std::string(k.rest),
             .soft = soft,
             .hard = hard};
    if (it != list.end())
        *it = r;
    else
        list.push_back(r);
    return {};
}
Result<std::string> get_prlimit(const LxcConfig& c, const KeyCall& k) {
    for (const auto& r : c.spec.process.rlimits)
        if (r.name == k.rest) return format_rlimit_value(r.soft, r.hard);
    return std::string();
}
Status clear_prlimit(LxcConfig& c, const KeyCall& k) {
    std::erase_if(c.spec.process.rlimits, [&](const Rlimit& r) { return r.name == k.rest; });
    return {};
}
Status set_all_prlimits(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (!v.empty()) return invalid(v, "this key only takes an empty value (it clears all limits)");
    c.spec.process.rlimits.clear();
    return {};
}
Result<std::string> get_all_prlimits(const LxcConfig& c, const KeyCall&) {
    std::vector<std::string> lines;
    for (const auto& r : c.spec.process.rlimits)
        lines.push_back(
            fmt::format("lxc.prlimit.{} = {}", r.name, format_rlimit_value(r.soft, r.hard)));
    return join_lines(lines);
}
Status clear_all_prlimits(LxcConfig& c, const KeyCall&) {
    c.spec.process.rlimits.clear();
    return {};
}

// ---- lxc.environment: "VAR=VALUE" or "VAR" (the host's value, read by to_spec)
Status set_env(LxcConfig& c, const KeyCall& k, std::string_view v) {
    if (v.empty()) {
        c.environment.clear();
        return {};
    }
    std::string_view name = v.substr(0, v.find('='));
    if (name.empty() || name.find_first_of(" \t") != std::string_view::npos)
        return invalid(v, "expected VAR=VALUE or VAR (to pass the host's value)");
    c.environment.push_back({std::string(v), std::string(k.origin)});
    return {};
}
Result<std::string> get_env(const LxcConfig& c, const KeyCall&) {
    std::vector<std::string> lines;
    for (const auto& e : c.environment) lines.push_back(e.value);
    return join_lines(lines);
}
Status clear_env(LxcConfig& c, const KeyCall&) {
    c.environment.clear();
    return {};
}

constexpr KeyDef kKeys[] = {
    scalar<ArchCodec, kArch>("lxc.arch"),
    scalar<HostnameCodec, kHostname>("lxc.uts.name"),
    scalar<CommandCodec, kInitCmd>("lxc.init.cmd"),
    scalar<CommandCodec, kExecuteCmd>("lxc.execute.cmd"),
    scalar<AbsPathCodec, kInitCwd>("lxc.init.cwd"),
    scalar<UidCodec, kInitUid>("lxc.init.uid"),
    scalar<GidCodec, kInitGid>("lxc.init.gid"),
    KeyDef{.name = "lxc.init.groups", .set = set_groups, .get = get_groups, .clear = clear_groups},
    scalar<SignalCodec, kHalt>("lxc.signal.halt"),
    scalar<SignalCodec, kReboot>("lxc.signal.reboot"),
    scalar<SignalCodec, kStop>("lxc.signal.stop"),
    KeyDef{.name = "lxc.proc.",
           .pattern = true,
           .set = set_pair<kProc>,
           .get = get_pair<kProc>,
           .clear = clear_pair<kProc>,
           .placeholder = "<file>",
           .valid = valid_proc_name},
    KeyDef{.name = "lxc.proc",
           .set = set_all_pairs<kProc>,
           .get = get_all_pairs<kProc>,
           .clear = clear_all_pairs<kProc>},
    scalar<BoolCodec, kEphemeral>("lxc.ephemeral"),
    KeyDef{.name = "lxc.environment", .set = set_env, .get = get_env, .clear = clear_env},
    KeyDef{.name = "lxc.prlimit.",
           .pattern = true,
           .set = set_prlimit,
           .get = get_prlimit,
           .clear = clear_prlimit,
           .names = rlimit_names},
    KeyDef{.name = "lxc.prlimit",
           .set = set_all_prlimits,
           .get = get_all_prlimits,
           .clear = clear_all_prlimits},
    KeyDef{.name = "lxc.sysctl.",
           .pattern = true,
           .set = set_pair<kSysctl>,
           .get = get_pair<kSysctl>,
           .clear = clear_pair<kSysctl>,
           .placeholder = "<name>",
           .valid = valid_sysctl_name},
    KeyDef{.name = "lxc.sysctl",
           .set = set_all_pairs<kSysctl>,
           .get = get_all_pairs<kSysctl>,
           .clear = clear_all_pairs<kSysctl>},
    scalar<BoolCodec, kKeyring>("lxc.keyring.session"),
    scalar<OptCodec<BoolCodec>, kSchedCore>("lxc.sched.core"),
};

}  // namespace

std::span<const KeyDef> process_keys() {
    return kKeys;
}

}  // namespace kiste::lxc::detail
