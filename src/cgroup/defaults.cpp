#include "cgroup/defaults.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace kiste::cgroup {

namespace {

// LXC 5.0's common.conf, plus /dev/net/tun as LXC 6 and LXD allow it. The
// rtc is left out: its major number is dynamic (254 on most hosts, not all).
constexpr std::array<DefaultDeviceRule, 14> kRules = {{
    {false, "a", "everything"},
    {true, "c *:* m", "mknod of any character device"},
    {true, "b *:* m", "mknod of any block device"},
    {true, "c 1:3 rwm", "/dev/null"},
    {true, "c 1:5 rwm", "/dev/zero"},
    {true, "c 1:7 rwm", "/dev/full"},
    {true, "c 5:0 rwm", "/dev/tty"},
    {true, "c 5:1 rwm", "/dev/console"},
    {true, "c 5:2 rwm", "/dev/ptmx"},
    {true, "c 1:8 rwm", "/dev/random"},
    {true, "c 1:9 rwm", "/dev/urandom"},
    {true, "c 136:* rwm", "/dev/pts/*"},
    {true, "c 10:229 rwm", "/dev/fuse"},
    {true, "c 10:200 rwm", "/dev/net/tun"},
}};

}  // namespace

std::span<const DefaultDeviceRule> default_device_rules() {
    return kRules;
}

bool has_device_settings(const CgroupConfig& cfg) {
    return std::any_of(cfg.settings.begin(), cfg.settings.end(),
                       [](const auto& s) { return s.key.starts_with("devices."); });
}

CgroupConfig with_default_devices(CgroupConfig cfg) {
    if (has_device_settings(cfg) || !cfg.resources.devices.empty() ||
        !cfg.resources_v2.devices.empty())
        return cfg;
    for (const auto& r : kRules)
        cfg.settings.push_back({1, r.allow ? "devices.allow" : "devices.deny", std::string(r.rule),
                                fmt::format("LXC's default device set ({})", r.what)});
    return cfg;
}

}  // namespace kiste::cgroup
