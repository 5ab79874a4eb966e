// Namespace keys: namespace.clone, namespace.keep, namespace.share.X and
// time.offset.{boot,monotonic}. to_spec turns them into NamespaceConfig.
#include <algorithm>

#include "config/lxc/keys.hpp"

namespace kiste::lxc::detail {

namespace {

Result<std::vector<std::string>> parse_ns_list(std::string_view v) {
    std::vector<std::string> out;
    for (auto t : split_blanks(v)) {
        auto n = KISTE_TRY(canonical_ns(t));
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(std::move(n));
    }
    return out;
}

void merge(std::vector<std::string>& into, const std::vector<std::string>& add) {
    for (const auto& n : add)
        if (std::find(into.begin(), into.end(), n) == into.end()) into.push_back(n);
}

// LXC refuses a config with both clone and keep.
Status exclusive(const LxcConfig& c, bool other_set, std::string_view other) {
    if (!other_set) return {};
    auto it = c.origins.find(std::string(other));
    std::string where = it != c.origins.end() ? fmt::format(" (set at {})", it->second) : "";
    return fail("cannot be combined with {}{}", other, where);
}

// ---- lxc.namespace.clone: the namespaces to create, instead of the default set.
Status set_clone(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (v.empty()) {
        c.ns_clone.reset();
        return {};
    }
    KISTE_TRY(exclusive(c, !c.ns_keep.empty(), "lxc.namespace.keep"));
    auto list = KISTE_TRY(checked(parse_ns_list(v), v));
    if (!c.ns_clone) c.ns_clone.emplace();
    merge(*c.ns_clone, list);
    return {};
}
Result<std::string> get_clone(const LxcConfig& c, const KeyCall&) {
    std::string out;
    if (c.ns_clone)
        for (const auto& n : *c.ns_clone) out += (out.empty() ? "" : " ") + n;
    return out;
}
Status clear_clone(LxcConfig& c, const KeyCall&) {
    c.ns_clone.reset();
    return {};
}

// ---- lxc.namespace.keep: namespaces inherited from the starter.
Status set_keep(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (v.empty()) {
        c.ns_keep.clear();
        return {};
    }
    KISTE_TRY(exclusive(c, c.ns_clone.has_value(), "lxc.namespace.clone"));
    merge(c.ns_keep, KISTE_TRY(checked(parse_ns_list(v), v)));
    return {};
}
Result<std::string> get_keep(const LxcConfig& c, const KeyCall&) {
    std::string out;
    for (const auto& n : c.ns_keep) out += (out.empty() ? "" : " ") + n;
    return out;
}
Status clear_keep(LxcConfig& c, const KeyCall&) {
    c.ns_keep.clear();
    return {};
}

// ---- lxc.namespace.share.X = PID | /path | container name
Status set_share(LxcConfig& c, const KeyCall& k, std::string_view v) {
    std::string name = *canonical_ns(k.rest);
    if (v.empty())
        c.ns_share.erase(name);
    else
        c.ns_share[name] = std::string(v);
    return {};
}
Result<std::string> get_share(const LxcConfig& c, const KeyCall& k) {
    auto it = c.ns_share.find(*canonical_ns(k.rest));
    return it == c.ns_share.end() ? std::string() : it->second;
}
Status clear_share(LxcConfig& c, const KeyCall& k) {
    c.ns_share.erase(*canonical_ns(k.rest));
    return {};
}

struct TimeCodec {
    static Result<int64_t> parse(std::string_view v) { return parse_time_offset(v); }
    static std::string format(int64_t ns) { return format_time_offset(ns); }
};
constexpr auto kBoot = [](auto& c) -> auto& {
    return c.spec.time_offset_boottime_ns;
};
constexpr auto kMono = [](auto& c) -> auto& {
    return c.spec.time_offset_monotonic_ns;
};

constexpr KeyDef kKeys[] = {
    KeyDef{.name = "lxc.namespace.clone", .set = set_clone, .get = get_clone, .clear = clear_clone},
    KeyDef{.name = "lxc.namespace.keep", .set = set_keep, .get = get_keep, .clear = clear_keep},
    KeyDef{.name = "lxc.namespace.share.",
           .pattern = true,
           .set = set_share,
           .get = get_share,
           .clear = clear_share,
           .names = ns_names},
    scalar<OptCodec<TimeCodec>, kBoot>("lxc.time.offset.boot"),
    scalar<OptCodec<TimeCodec>, kMono>("lxc.time.offset.monotonic"),
};

}  // namespace

std::span<const KeyDef> ns_keys() {
    return kKeys;
}

}  // namespace kiste::lxc::detail
