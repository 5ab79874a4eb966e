// Where a container's and its monitor's cgroups go, relative to the cgroup
// kiste runs in (the same relative path in every hierarchy).
//
//   default                      kiste.payload/NAME        kiste.monitor/NAME
//   lxc.cgroup.dir = D           D/NAME                    D/kiste.monitor.NAME
//   lxc.cgroup.dir.container = C C[/INNER]                 lxc.cgroup.dir.monitor
//
// kiste never escapes to the root cgroup (LXC does as root unless
// lxc.cgroup.relative = 1), so lxc.cgroup.relative is always in effect.
#pragma once

#include <string>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::cgroup {

inline constexpr const char* kPayloadDir = "kiste.payload";
inline constexpr const char* kMonitorDir = "kiste.monitor";

struct Placement {
    std::string container;  // relative, no leading '/': limits are written here
    std::string inner;      // relative to `container`; processes join container/inner
    std::string monitor;
    std::string monitor_pivot;  // where the monitor goes before its cgroup is removed
    // The default layout: kiste.monitor goes when its last monitor goes.
    // (kiste.payload stays: see ManagerBase::remove_dirs.)
    bool remove_empty_parent = false;
};

Result<Placement> placement_for(const std::string& name, const CgroupConfig& cfg);

// Our own cgroup path minus our own monitor cgroup: the monitor calls
// make_manager from inside kiste.monitor/NAME, yet the container belongs
// beside it. `own` is absolute ("/a/kiste.monitor/c1"), the result too.
std::string base_outside_monitor(const std::string& own, const Placement& p);

// Checks a relative cgroup path: no '..', no empty or '.' components.
Status check_relative(const std::string& path, const char* what);

}  // namespace kiste::cgroup
