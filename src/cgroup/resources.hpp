// The structured limits (spec.cgroup.resources, filled by the OCI face) as
// v1 settings, so that they take the same path as lxc.cgroup.* keys:
// validated, translated to v2 where the host has it, and written in order.
#pragma once

#include <vector>

#include "kiste/spec.hpp"

namespace kiste::cgroup {

inline constexpr const char* kResourcesOrigin = "spec.cgroup.resources";

// One v1 setting per set field, in a fixed order; devices in rule order.
std::vector<CgroupConfig::Setting> resource_settings(const Resources& r);

// cfg.settings plus the resource settings whose file no raw setting of the
// config writes already (an LXC config fills Resources from its own v1 keys:
// those are not written twice). Device rules are taken from Resources only
// when the config has no devices.* setting.
CgroupConfig with_resources(const CgroupConfig& cfg);

// "c 1:3 rwm" for a rule ('*' for a wildcard number).
std::string device_rule_string(const DeviceRule& d);

}  // namespace kiste::cgroup
