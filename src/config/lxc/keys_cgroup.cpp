// cgroup keys: lxc.cgroup.CONTROLLER.FILE (v1) and lxc.cgroup2.CONTROLLER.FILE
// (v2), kept raw and in order; lxc.cgroup / lxc.cgroup2 clear them;
// lxc.cgroup.dir*, lxc.cgroup.relative. Each value is checked when the line
// is read, by the cgroup layer's own table (cgroup/values.hpp): a value
// that loads is one the cgroup managers take. to_spec turns the files the
// typed model covers into Resources (cgroup/resources.hpp).
#include <algorithm>
#include <cctype>

#include "cgroup/values.hpp"
#include "config/lxc/keys.hpp"

namespace kiste::lxc::detail {

namespace {

// "memory.limit_in_bytes"; a bare "memory" only names a prefix to clear.
bool valid_cgroup_rest(std::string_view rest) {
    return !rest.empty() && rest.front() != '.' && rest.back() != '.';
}

template <int V>
Status set_setting(LxcConfig& c, const KeyCall& k, std::string_view v) {
    auto& list = c.spec.cgroup.settings;
    if (v.empty()) {  // LXC's lxc_clear_cgroups: every setting under this prefix
        std::erase_if(list,
                      [&](const auto& s) { return s.version == V && s.key.starts_with(k.rest); });
        return {};
    }
    if (k.rest.find('.') == std::string_view::npos)
        return fail("expected a cgroup file: lxc.cgroup{}.<controller>.<file>", V == 2 ? "2" : "");
    if (auto st = cgroup::validate_value(V, k.rest, v); !st) return invalid(v, st.error().root());
    list.push_back({.version = V,
                    .key = std::string(k.rest),
                    .value = std::string(v),
                    .origin = std::string(k.origin)});
    return {};
}
template <int V>
Result<std::string> get_setting(const LxcConfig& c, const KeyCall& k) {
    std::vector<std::string> lines;
    for (const auto& s : c.spec.cgroup.settings)
        if (s.version == V && s.key == k.rest) lines.push_back(s.value);
    return join_lines(lines);
}
template <int V>
Status clear_setting(LxcConfig& c, const KeyCall& k) {
    std::erase_if(c.spec.cgroup.settings,
                  [&](const auto& s) { return s.version == V && s.key.starts_with(k.rest); });
    return {};
}
template <int V>
Status set_all(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (!v.empty())
        return invalid(v, "this key only takes an empty value (it clears the settings)");
    std::erase_if(c.spec.cgroup.settings, [](const auto& s) { return s.version == V; });
    return {};
}
template <int V>
Result<std::string> get_all(const LxcConfig& c, const KeyCall& k) {
    std::vector<std::string> lines;
    for (const auto& s : c.spec.cgroup.settings)
        if (s.version == V) lines.push_back(fmt::format("{}.{} = {}", k.key, s.key, s.value));
    return join_lines(lines);
}
template <int V>
Status clear_all(LxcConfig& c, const KeyCall&) {
    std::erase_if(c.spec.cgroup.settings, [](const auto& s) { return s.version == V; });
    return {};
}

constexpr auto kDir = [](auto& c) -> auto& {
    return c.spec.cgroup.dir;
};
constexpr auto kDirContainer = [](auto& c) -> auto& {
    return c.spec.cgroup.dir_container;
};
constexpr auto kDirMonitor = [](auto& c) -> auto& {
    return c.spec.cgroup.dir_monitor;
};
constexpr auto kDirPivot = [](auto& c) -> auto& {
    return c.spec.cgroup.dir_monitor_pivot;
};
constexpr auto kDirInner = [](auto& c) -> auto& {
    return c.spec.cgroup.dir_container_inner;
};
constexpr auto kRelative = [](auto& c) -> auto& {
    return c.spec.cgroup.relative;
};

// cgroup paths are relative to the cgroup the container would get anyway.
struct CgroupDirCodec {
    static Result<std::string> parse(std::string_view v) {
        for (auto part : split_on(v, '/'))
            if (part == "..") return fail("'..' is not allowed in a cgroup path");
        return std::string(v);
    }
    static std::string format(const std::string& s) { return s; }
};

constexpr KeyDef kKeys[] = {
    KeyDef{.name = "lxc.cgroup.",
           .pattern = true,
           .set = set_setting<1>,
           .get = get_setting<1>,
           .clear = clear_setting<1>,
           .placeholder = "<controller>.<file>",
           .valid = valid_cgroup_rest},
    KeyDef{.name = "lxc.cgroup2.",
           .pattern = true,
           .set = set_setting<2>,
           .get = get_setting<2>,
           .clear = clear_setting<2>,
           .placeholder = "<controller>.<file>",
           .valid = valid_cgroup_rest},
    KeyDef{.name = "lxc.cgroup", .set = set_all<1>, .get = get_all<1>, .clear = clear_all<1>},
    KeyDef{.name = "lxc.cgroup2", .set = set_all<2>, .get = get_all<2>, .clear = clear_all<2>},
    scalar<CgroupDirCodec, kDir>("lxc.cgroup.dir"),
    scalar<CgroupDirCodec, kDirContainer>("lxc.cgroup.dir.container"),
    scalar<CgroupDirCodec, kDirMonitor>("lxc.cgroup.dir.monitor"),
    scalar<CgroupDirCodec, kDirPivot>("lxc.cgroup.dir.monitor.pivot"),
    scalar<CgroupDirCodec, kDirInner>("lxc.cgroup.dir.container.inner"),
    scalar<BoolCodec, kRelative>("lxc.cgroup.relative"),
};

}  // namespace

std::span<const KeyDef> cgroup_keys() {
    return kKeys;
}

}  // namespace kiste::lxc::detail
