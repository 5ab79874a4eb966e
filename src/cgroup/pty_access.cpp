#include "cgroup/pty_access.hpp"

#include <fmt/format.h>

#include "cgroup/defaults.hpp"
#include "cgroup/v2/devices.hpp"

namespace kiste::cgroup {

namespace {

constexpr int64_t kPtyMajor = 136;  // Unix98 pty slaves (/dev/pts/N)

bool matches_all_ptys(const DeviceRule& r) {
    return (r.type == 'a' || r.type == 'c') && (r.major == -1 || r.major == kPtyMajor) &&
           r.minor == -1;
}

bool grants_rw(const DeviceRule& r) {
    return r.access.find('r') != std::string::npos && r.access.find('w') != std::string::npos;
}

bool refuses_r_or_w(const DeviceRule& r) {
    return r.access.find('r') != std::string::npos || r.access.find('w') != std::string::npos;
}

}  // namespace

std::optional<std::string> pty_open_denied_by(const CgroupConfig& cfg) {
    std::optional<std::string> denied_by;  // allowed without rules
    auto consider = [&](const DeviceRule& r, const std::string& what) {
        if (!matches_all_ptys(r)) return;
        if (r.allow && grants_rw(r))
            denied_by.reset();
        else if (!r.allow && refuses_r_or_w(r))
            denied_by = what;
    };
    for (const auto& s : cfg.settings) {
        const bool allow = s.key == "devices.allow";
        if (!allow && s.key != "devices.deny") continue;
        auto rule = v2::devices::parse_rule(s.value, allow);
        if (!rule) continue;  // reported where the rules are applied
        consider(*rule, fmt::format("{}.{} = {}{}", s.version == 2 ? "lxc.cgroup2" : "lxc.cgroup",
                                    s.key, s.value, s.origin.empty() ? "" : " (" + s.origin + ")"));
    }
    // The structured rules mirror lxc.cgroup.devices.* (to_spec); alone
    // they are an OCI config's.
    if (has_device_settings(cfg)) return denied_by;
    for (const auto& r : cfg.resources.devices)
        consider(r,
                 fmt::format("linux.resources.devices {} {}", r.allow ? "allow" : "deny", r.type));
    return denied_by;
}

std::optional<std::string> pty_access_warning(const std::string& name, uint32_t ttys, bool console,
                                              const CgroupConfig& cfg) {
    if (ttys == 0 && !console) return std::nullopt;
    auto rule = pty_open_denied_by(cfg);
    if (!rule) return std::nullopt;
    std::string what =
        ttys > 0 ? fmt::format("its ttys (lxc.tty.max = {}){}", ttys, console ? " and console" : "")
                 : std::string("its console");
    return fmt::format(
        "container {}: {} cannot be opened inside: the device rules deny c 136:* (the ptys "
        "behind them) by {}; add lxc.cgroup.devices.allow = c 136:* rwm (lxc.cgroup2.devices.allow "
        "on cgroup v2) to use them",
        name.empty() ? std::string("(unnamed)") : name, what, *rule);
}

}  // namespace kiste::cgroup
