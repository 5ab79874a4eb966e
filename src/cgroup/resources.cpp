#include "cgroup/resources.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "cgroup/defaults.hpp"

namespace kiste::cgroup {

namespace {

std::string num_or_star(int64_t n) {
    return n < 0 ? "*" : std::to_string(n);
}

std::string dev(int64_t major, int64_t minor) {
    return num_or_star(major) + ":" + num_or_star(minor);
}

}  // namespace

std::string device_rule_string(const DeviceRule& d) {
    if (d.type == 'a' && d.major < 0 && d.minor < 0 && d.access == "rwm") return "a";
    return fmt::format("{} {} {}", d.type, dev(d.major, d.minor), d.access);
}

std::vector<CgroupConfig::Setting> resource_settings(const Resources& r) {
    std::vector<CgroupConfig::Setting> out;
    auto add = [&out](std::string key, std::string value) {
        out.push_back({1, std::move(key), std::move(value), kResourcesOrigin});
    };
    auto add_i = [&](const char* key, const auto& v) {
        if (v) add(key, std::to_string(*v));
    };
    if (!r.cpuset_cpus.empty()) add("cpuset.cpus", r.cpuset_cpus);
    if (!r.cpuset_mems.empty()) add("cpuset.mems", r.cpuset_mems);
    add_i("memory.limit_in_bytes", r.memory_limit);
    add_i("memory.memsw.limit_in_bytes", r.memory_swap_limit);
    add_i("memory.soft_limit_in_bytes", r.memory_reservation);
    add_i("memory.swappiness", r.memory_swappiness);
    if (r.oom_kill_disable) add("memory.oom_control", *r.oom_kill_disable ? "1" : "0");
    add_i("cpu.shares", r.cpu_shares);
    add_i("cpu.cfs_period_us", r.cpu_period);
    add_i("cpu.cfs_quota_us", r.cpu_quota);
    add_i("cpu.rt_period_us", r.cpu_rt_period);
    add_i("cpu.rt_runtime_us", r.cpu_rt_runtime);
    if (r.pids_limit) add("pids.max", *r.pids_limit < 0 ? "max" : std::to_string(*r.pids_limit));
    add_i("blkio.weight", r.blkio_weight);
    for (const auto& w : r.blkio_weight_device)
        add("blkio.weight_device", fmt::format("{}:{} {}", w.major, w.minor, w.weight));
    const std::pair<const char*, const std::vector<Resources::Throttle>*> throttles[] = {
        {"blkio.throttle.read_bps_device", &r.throttle_read_bps},
        {"blkio.throttle.write_bps_device", &r.throttle_write_bps},
        {"blkio.throttle.read_iops_device", &r.throttle_read_iops},
        {"blkio.throttle.write_iops_device", &r.throttle_write_iops}};
    for (const auto& [key, list] : throttles)
        for (const auto& t : *list) add(key, fmt::format("{}:{} {}", t.major, t.minor, t.rate));
    for (const auto& h : r.hugepage_limits)
        add(fmt::format("hugetlb.{}.limit_in_bytes", h.pagesize), std::to_string(h.limit));
    add_i("net_cls.classid", r.net_cls_classid);
    for (const auto& d : r.devices)
        add(d.allow ? "devices.allow" : "devices.deny", device_rule_string(d));
    return out;
}

CgroupConfig with_resources(const CgroupConfig& cfg) {
    CgroupConfig out = cfg;
    const bool own_devices = has_device_settings(cfg);
    for (auto& s : resource_settings(cfg.resources)) {
        const bool device = s.key.starts_with("devices.");
        if (device && own_devices) continue;
        // Per-device files take several lines: a raw line for the same
        // device is what the resource came from.
        const bool dup =
            !device && std::any_of(cfg.settings.begin(), cfg.settings.end(), [&](const auto& x) {
                return x.version == 1 && x.key == s.key &&
                       (!s.key.ends_with("_device") || x.value == s.value);
            });
        if (!dup) out.settings.push_back(std::move(s));
    }
    return out;
}

}  // namespace kiste::cgroup
