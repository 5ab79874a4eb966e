// cgroup keys: lxc.cgroup.CONTROLLER.FILE (v1) and lxc.cgroup2.CONTROLLER.FILE
// (v2), kept raw and in order; lxc.cgroup / lxc.cgroup2 clear them;
// lxc.cgroup.dir*, lxc.cgroup.relative. The v1 files with a clear meaning
// are also turned into Resources (apply_v1_setting) by to_spec; their values
// are checked when the line is read.
#include <algorithm>
#include <cctype>

#include "config/lxc/keys.hpp"
#include "config/lxc/resources.hpp"

namespace kiste::lxc::detail {

namespace {

Result<void> check_cpu_list(std::string_view v) {
    if (v.empty() || v.find_first_not_of("0123456789,-") != std::string_view::npos)
        return fail("expected a CPU or node list like 0-3,6");
    return {};
}

template <class T>
Result<T> in_range(Result<T> r, T lo, T hi) {
    if (!r || *r < lo || *r > hi) return fail("expected an integer {}..{}", lo, hi);
    return r;
}

}  // namespace

Status apply_v1_setting(Resources& res, std::string_view key, std::string_view v) {
    auto done = [](auto&& r) -> Status {
        if (!r) return std::unexpected(r.error());
        return {};
    };
    if (key == "memory.limit_in_bytes") {
        auto n = parse_memory_value(v);
        if (n) res.memory_limit = *n;
        return done(n);
    }
    if (key == "memory.memsw.limit_in_bytes") {
        auto n = parse_memory_value(v);
        if (n) res.memory_swap_limit = *n;
        return done(n);
    }
    if (key == "memory.soft_limit_in_bytes") {
        auto n = parse_memory_value(v);
        if (n) res.memory_reservation = *n;
        return done(n);
    }
    if (key == "memory.swappiness") {
        auto n = in_range<uint64_t>(parse_u64(v), 0, 100);
        if (n) res.memory_swappiness = static_cast<int64_t>(*n);
        return done(n);
    }
    if (key == "memory.oom_control") {
        auto n = parse_bool01(v);
        if (!n) return fail("expected 0 or 1 (1 disables the OOM killer)");
        res.oom_kill_disable = *n;
        return {};
    }
    if (key == "cpu.shares") {
        auto n = in_range<uint64_t>(parse_u64(v), 1, UINT64_MAX);
        if (n) res.cpu_shares = *n;
        return done(n);
    }
    if (key == "cpu.cfs_quota_us" || key == "cpu.rt_runtime_us") {
        auto n = parse_i64(v);
        if (!n || (*n < 1 && *n != -1 && key == "cpu.cfs_quota_us") || *n < -1)
            return fail("expected a number of microseconds or -1");
        (key == "cpu.cfs_quota_us" ? res.cpu_quota : res.cpu_rt_runtime) = *n;
        return {};
    }
    if (key == "cpu.cfs_period_us" || key == "cpu.rt_period_us") {
        auto n = in_range<uint64_t>(parse_u64(v), 1, UINT64_MAX);
        if (n) (key == "cpu.cfs_period_us" ? res.cpu_period : res.cpu_rt_period) = *n;
        return done(n);
    }
    if (key == "cpuset.cpus" || key == "cpuset.mems") {
        KISTE_TRY(check_cpu_list(v));
        (key == "cpuset.cpus" ? res.cpuset_cpus : res.cpuset_mems) = std::string(v);
        return {};
    }
    if (key == "pids.max") {
        if (v == "max" || v == "-1") {
            res.pids_limit = -1;
            return {};
        }
        auto n = parse_u64(v);
        if (!n || *n > static_cast<uint64_t>(INT64_MAX)) return fail("expected a number or 'max'");
        res.pids_limit = static_cast<int64_t>(*n);
        return {};
    }
    if (key == "blkio.weight") {
        auto n = in_range<uint64_t>(parse_u64(v), 10, 1000);
        if (n) res.blkio_weight = static_cast<uint16_t>(*n);
        return done(n);
    }
    if (key == "devices.allow" || key == "devices.deny") {
        auto r = parse_device_rule(v, key == "devices.allow");
        if (r) res.devices.push_back(*r);
        return done(r);
    }
    if (key == "net_cls.classid") {
        uint64_t n = 0;
        if (v.starts_with("0x") || v.starts_with("0X")) {
            std::string hex(v.substr(2));
            char* end = nullptr;
            n = std::strtoull(hex.c_str(), &end, 16);
            if (hex.empty() || *end != '\0')
                return fail("expected a class id (decimal or 0xMMMMmmmm)");
        } else {
            auto d = parse_u64(v);
            if (!d) return fail("expected a class id (decimal or 0xMMMMmmmm)");
            n = *d;
        }
        if (n > 0xFFFFFFFFu) return fail("the class id has 32 bits");
        res.net_cls_classid = static_cast<uint32_t>(n);
        return {};
    }
    return {};  // a file kiste passes through raw
}

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
    if constexpr (V == 1) {
        Resources scratch;
        if (auto st = apply_v1_setting(scratch, k.rest, v); !st)
            return invalid(v, st.error().root());
    } else {
        if (k.rest == "devices.allow" || k.rest == "devices.deny")
            KISTE_TRY(checked(parse_device_rule(v, k.rest == "devices.allow"), v));
    }
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
