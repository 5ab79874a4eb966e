// Hooks (and kiste.hook.timeout, the time a hook may take), the manager's keys (start.*, group,
// monitor.*, log.*), include, and the legacy keys without a modern equivalent (lxc.kmsg kept, the
// obsolete lxc.rootfs.backend and lxc.pivotdir accepted and ignored).
#include "base/log.hpp"
#include "config/lxc/keys.hpp"

namespace kiste::lxc::detail {

namespace {

// ---- lxc.hook.TYPE: commands (shell command lines), appended; empty clears.
constexpr std::string_view kHookTypes[] = {"pre-start",  "pre-mount", "mount", "autodev",
                                           "start-host", "start",     "stop",  "post-stop",
                                           "clone",      "destroy"};
std::span<const std::string_view> hook_types() {
    return kHookTypes;
}
Status set_hook(LxcConfig& c, const KeyCall& k, std::string_view v) {
    std::string type(k.rest);
    if (v.empty()) {
        c.hooks.erase(type);
        return {};
    }
    c.hooks[type].push_back({std::string(v), std::string(k.origin)});
    // LXC runs clone hooks only in lxc-copy (LXC's own common.conf sets one),
    // so they never stand in the way of a start.
    if (type == "clone") {
        std::string where = k.origin.empty() ? std::string() : std::string(k.origin) + ": ";
        c.notes.push_back(fmt::format(
            "{}lxc.hook.clone = {}: only run when a container is copied (lxc-copy); kept, not "
            "needed to start",
            where, v));
    }
    return {};
}
Result<std::string> get_hook(const LxcConfig& c, const KeyCall& k) {
    std::vector<std::string> lines;
    if (auto it = c.hooks.find(std::string(k.rest)); it != c.hooks.end())
        for (const auto& h : it->second) lines.push_back(h.value);
    return join_lines(lines);
}
Status clear_hook(LxcConfig& c, const KeyCall& k) {
    c.hooks.erase(std::string(k.rest));
    return {};
}
Status set_all_hooks(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (!v.empty()) return invalid(v, "lxc.hook only takes an empty value (it clears all hooks)");
    c.hooks.clear();
    return {};
}
Result<std::string> get_all_hooks(const LxcConfig& c, const KeyCall&) {
    std::vector<std::string> lines;
    for (const auto& [type, list] : c.hooks)
        for (const auto& h : list) lines.push_back(fmt::format("lxc.hook.{} = {}", type, h.value));
    return join_lines(lines);
}
Status clear_all_hooks(LxcConfig& c, const KeyCall&) {
    c.hooks.clear();
    return {};
}

constexpr std::string_view kHookVersions[] = {"0", "1"};
struct HookVersionCodec {
    static Result<std::string> parse(std::string_view v) { return one_of(v, kHookVersions); }
    static std::string format(const std::string& s) { return s; }
};

// kiste.hook.timeout: seconds, 1 .. one day (a hook is killed after it).
struct HookTimeoutCodec {
    static Result<int> parse(std::string_view v) {
        auto n = parse_u32(v);
        if (!n || *n == 0 || *n > 86400)
            return fail("expected a number of seconds from 1 to 86400");
        return static_cast<int>(*n);
    }
    static std::string format(int n) { return std::to_string(n); }
};

struct LogLevelCodec {
    static Result<std::string> parse(std::string_view v) {
        if (!parse_log_level(v))
            return fail(
                "expected a level 0..8 or a name (TRACE, DEBUG, INFO, NOTICE, WARN, "
                "ERROR, CRIT, ALERT, FATAL)");
        return std::string(v);
    }
    static std::string format(const std::string& s) { return s; }
};

constexpr std::string_view kFacilities[] = {"auth",   "authpriv", "cron",   "daemon", "ftp",
                                            "kern",   "lpr",      "mail",   "news",   "syslog",
                                            "user",   "uucp",     "local0", "local1", "local2",
                                            "local3", "local4",   "local5", "local6", "local7"};
struct FacilityCodec {
    static Result<std::string> parse(std::string_view v) { return one_of(v, kFacilities); }
    static std::string format(const std::string& s) { return s; }
};

// LXC reads lxc.monitor.unshare as an unsigned number: non-zero is on.
struct NonZeroCodec {
    static Result<bool> parse(std::string_view v) {
        auto n = parse_u64(v);
        if (!n) return std::unexpected(n.error());
        return *n != 0;
    }
    static std::string format(bool b) { return b ? "1" : "0"; }
};

// lxc.monitor.signal.pdeath: a signal, or 0 for none.
struct PdeathCodec {
    static Result<int> parse(std::string_view v) { return parse_signal(v, true); }
    static std::string format(int n) { return std::to_string(n); }
};

// ---- lxc.include: read by the parser; get lists what was read.
Status set_include(LxcConfig& c, const KeyCall& k, std::string_view v) {
    return include_path(c, v, k.origin, k.base_dir, nullptr);
}
constexpr auto kIncludes = [](auto& c) -> auto& {
    return c.includes;
};

// ---- obsolete legacy keys: a note, nothing else.
Status set_obsolete(LxcConfig& c, const KeyCall& k, std::string_view v) {
    std::string where = k.origin.empty() ? std::string() : std::string(k.origin) + ": ";
    c.notes.push_back(
        fmt::format("{}{} = {}: obsolete (LXC 2.1 removed it), ignored", where, k.written, v));
    return {};
}
Result<std::string> get_nothing(const LxcConfig&, const KeyCall&) {
    return std::string();
}
Status clear_nothing(LxcConfig&, const KeyCall&) {
    return {};
}

constexpr auto kHookVersion = [](auto& c) -> auto& {
    return c.spec.hooks.version;
};
constexpr auto kHookTimeout = [](auto& c) -> auto& {
    return c.spec.hooks.timeout_seconds;
};
constexpr auto kStartAuto = [](auto& c) -> auto& {
    return c.start_auto;
};
constexpr auto kStartDelay = [](auto& c) -> auto& {
    return c.start_delay;
};
constexpr auto kStartOrder = [](auto& c) -> auto& {
    return c.start_order;
};
constexpr auto kGroups = [](auto& c) -> auto& {
    return c.groups;
};
constexpr auto kUnshare = [](auto& c) -> auto& {
    return c.monitor_unshare;
};
constexpr auto kPdeath = [](auto& c) -> auto& {
    return c.monitor_signal_pdeath;
};
constexpr auto kLogFile = [](auto& c) -> auto& {
    return c.log_file;
};
constexpr auto kLogLevel = [](auto& c) -> auto& {
    return c.log_level;
};
constexpr auto kLogSyslog = [](auto& c) -> auto& {
    return c.log_syslog;
};
constexpr auto kKmsg = [](auto& c) -> auto& {
    return c.spec.dev.kmsg;
};

constexpr KeyDef kKeys[] = {
    KeyDef{.name = "lxc.hook.",
           .pattern = true,
           .set = set_hook,
           .get = get_hook,
           .clear = clear_hook,
           .names = hook_types},
    KeyDef{
        .name = "lxc.hook", .set = set_all_hooks, .get = get_all_hooks, .clear = clear_all_hooks},
    scalar<HookVersionCodec, kHookVersion>("lxc.hook.version"),
    scalar<HookTimeoutCodec, kHookTimeout>("kiste.hook.timeout"),
    scalar<BoolCodec, kStartAuto>("lxc.start.auto"),
    scalar<I64Codec, kStartDelay>("lxc.start.delay"),
    scalar<I64Codec, kStartOrder>("lxc.start.order"),
    string_list<kGroups, true>("lxc.group"),
    scalar<NonZeroCodec, kUnshare>("lxc.monitor.unshare"),
    scalar<OptCodec<PdeathCodec>, kPdeath>("lxc.monitor.signal.pdeath"),
    scalar<StrCodec, kLogFile>("lxc.log.file"),
    scalar<LogLevelCodec, kLogLevel>("lxc.log.level"),
    scalar<FacilityCodec, kLogSyslog>("lxc.log.syslog"),
    KeyDef{.name = "lxc.include",
           .set = set_include,
           .get = list_get<kIncludes>,
           .clear = list_clear<kIncludes>},
    scalar<BoolCodec, kKmsg>("lxc.kmsg"),
    KeyDef{.name = "lxc.rootfs.backend",
           .set = set_obsolete,
           .get = get_nothing,
           .clear = clear_nothing},
    KeyDef{.name = "lxc.pivotdir", .set = set_obsolete, .get = get_nothing, .clear = clear_nothing},
};

}  // namespace

std::span<const KeyDef> misc_keys() {
    return kKeys;
}

}  // namespace kiste::lxc::detail
