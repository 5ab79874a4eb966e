// Security keys: cap.{drop,keep}, apparmor.*, selinux.*, seccomp.*,
// no_new_privs, idmap.
#include "config/lxc/keys.hpp"

namespace kiste::lxc::detail {

namespace {

Result<std::vector<std::string>> parse_caps(std::string_view v, bool allow_none) {
    std::vector<std::string> out;
    for (auto t : split_blanks(v)) {
        if (allow_none && t == "none") {
            out.emplace_back("none");
            continue;
        }
        auto c = canonical_cap(t);
        if (!c) return fail("'{}': {}", t, c.error().root());
        out.push_back(std::move(*c));
    }
    return out;
}

// ---- lxc.cap.drop: names appended (several per line); empty clears.
Status set_drop(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (v.empty()) {
        c.cap_drop.clear();
        return {};
    }
    auto caps = KISTE_TRY(checked(parse_caps(v, false), v));
    c.cap_drop.insert(c.cap_drop.end(), caps.begin(), caps.end());
    return {};
}
constexpr auto kDrop = [](auto& c) -> auto& {
    return c.cap_drop;
};

// ---- lxc.cap.keep: names appended; "none" empties the list but leaves it
// set, so "none" alone keeps no capability at all (LXC's semantics).
Status set_keep(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (v.empty()) {
        c.cap_keep.reset();
        return {};
    }
    auto caps = KISTE_TRY(checked(parse_caps(v, true), v));
    if (!c.cap_keep) c.cap_keep.emplace();
    for (auto& cap : caps) {
        if (cap == "none")
            c.cap_keep->clear();
        else
            c.cap_keep->push_back(std::move(cap));
    }
    return {};
}
Result<std::string> get_keep(const LxcConfig& c, const KeyCall&) {
    if (!c.cap_keep) return std::string();
    if (c.cap_keep->empty()) return std::string("none");
    return join_lines(*c.cap_keep);
}
Status clear_keep(LxcConfig& c, const KeyCall&) {
    c.cap_keep.reset();
    return {};
}

// ---- lxc.idmap = u|g CONTAINER HOST COUNT; empty clears both maps.
Status set_idmap(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (v.empty()) {
        c.spec.uid_map.clear();
        c.spec.gid_map.clear();
        return {};
    }
    auto line = KISTE_TRY(checked(parse_idmap(v), v));
    (line.type == 'u' ? c.spec.uid_map : c.spec.gid_map).push_back(line.map);
    return {};
}
Result<std::string> get_idmap(const LxcConfig& c, const KeyCall&) {
    std::vector<std::string> lines;
    for (const auto& m : c.spec.uid_map)
        lines.push_back(fmt::format("u {} {} {}", m.container_id, m.host_id, m.count));
    for (const auto& m : c.spec.gid_map)
        lines.push_back(fmt::format("g {} {} {}", m.container_id, m.host_id, m.count));
    return join_lines(lines);
}
Status clear_idmap(LxcConfig& c, const KeyCall&) {
    c.spec.uid_map.clear();
    c.spec.gid_map.clear();
    return {};
}

struct NotifyProxyCodec {
    static Result<std::string> parse(std::string_view v) {
        if (!v.starts_with("unix:") || v.size() == 5)
            return fail("expected unix:/path/to/socket or unix:@abstract-name");
        return std::string(v);
    }
    static std::string format(const std::string& s) { return s; }
};

constexpr auto kAaProfile = [](auto& c) -> auto& {
    return c.spec.security.apparmor_profile;
};
constexpr auto kAaIncomplete = [](auto& c) -> auto& {
    return c.spec.security.apparmor_allow_incomplete;
};
constexpr auto kAaNesting = [](auto& c) -> auto& {
    return c.spec.security.apparmor_allow_nesting;
};
constexpr auto kAaRaw = [](auto& c) -> auto& {
    return c.spec.security.apparmor_raw;
};
constexpr auto kSeContext = [](auto& c) -> auto& {
    return c.spec.security.selinux_context;
};
constexpr auto kSeKeyring = [](auto& c) -> auto& {
    return c.spec.security.selinux_context_keyring;
};
constexpr auto kSeccompProfile = [](auto& c) -> auto& {
    return c.spec.security.seccomp.profile_path;
};
constexpr auto kSeccompNesting = [](auto& c) -> auto& {
    return c.spec.security.seccomp.allow_nesting;
};
constexpr auto kNotifyProxy = [](auto& c) -> auto& {
    return c.spec.security.seccomp.notify_proxy;
};
constexpr auto kNotifyCookie = [](auto& c) -> auto& {
    return c.spec.security.seccomp.notify_cookie;
};
constexpr auto kNoNewPrivs = [](auto& c) -> auto& {
    return c.spec.security.no_new_privs;
};

constexpr KeyDef kKeys[] = {
    KeyDef{.name = "lxc.cap.drop",
           .set = set_drop,
           .get = list_get<kDrop>,
           .clear = list_clear<kDrop>},
    KeyDef{.name = "lxc.cap.keep", .set = set_keep, .get = get_keep, .clear = clear_keep},
    KeyDef{.name = "lxc.idmap", .set = set_idmap, .get = get_idmap, .clear = clear_idmap},
    scalar<StrCodec, kAaProfile>("lxc.apparmor.profile"),
    scalar<BoolCodec, kAaIncomplete>("lxc.apparmor.allow_incomplete"),
    scalar<BoolCodec, kAaNesting>("lxc.apparmor.allow_nesting"),
    string_list<kAaRaw, false>("lxc.apparmor.raw"),
    scalar<StrCodec, kSeContext>("lxc.selinux.context"),
    scalar<StrCodec, kSeKeyring>("lxc.selinux.context.keyring"),
    scalar<StrCodec, kSeccompProfile>("lxc.seccomp.profile"),
    scalar<BoolCodec, kSeccompNesting>("lxc.seccomp.allow_nesting"),
    scalar<NotifyProxyCodec, kNotifyProxy>("lxc.seccomp.notify.proxy"),
    scalar<StrCodec, kNotifyCookie>("lxc.seccomp.notify.cookie"),
    scalar<BoolCodec, kNoNewPrivs>("lxc.no_new_privs"),
};

}  // namespace

std::span<const KeyDef> security_keys() {
    return kKeys;
}

}  // namespace kiste::lxc::detail
