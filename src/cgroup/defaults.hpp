// LXC's default device set (/usr/share/lxc/config/common.conf), for system
// containers whose config says nothing about devices: deny everything, allow
// mknod of any node (opening it stays denied) and the harmless devices a
// system needs. Applied through the same path as lxc.cgroup.devices.* keys:
// devices.deny/allow on v1 and hybrid hosts, the eBPF program on v2.
#pragma once

#include <span>
#include <string_view>

#include "kiste/spec.hpp"

namespace kiste::cgroup {

// The rules, in v1 syntax, in the order they are applied (deny first).
struct DefaultDeviceRule {
    bool allow;
    std::string_view rule;  // "c 1:3 rwm"
    std::string_view what;  // "/dev/null"
};
std::span<const DefaultDeviceRule> default_device_rules();

// True when cfg has a devices.* setting of either layout.
bool has_device_settings(const CgroupConfig& cfg);

// cfg with the default set appended (as lxc.cgroup.devices.* settings whose
// origin names the default) unless it has device settings of its own.
CgroupConfig with_default_devices(CgroupConfig cfg);

}  // namespace kiste::cgroup
