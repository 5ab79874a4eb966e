// v1 controllers the host has enabled but not mounted (net_cls and net_prio
// on this machine): when a config sets one of their keys, kiste mounts the
// controller's hierarchy privately below its run dir
// ($KISTE_RUN_DIR/cgroup/CONTROLLER, never on the host's /sys/fs/cgroup), so
// that the manager finds it like any other hierarchy. The mount goes when the
// last container in it is removed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cgroup/host.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::cgroup {

// Controllers enabled in /proc/cgroups (text) that no v1 mount of `mounts`
// carries: hierarchy 0 (never mounted), or a hierarchy that outlived its
// mounts (the kernel keeps one whose last unmount found dying children).
std::vector<std::string> unmounted_v1_controllers(std::string_view proc_cgroups,
                                                  const std::vector<CgroupMount>& mounts);

// The v1-only controllers (net_cls, net_prio) whose keys cfg sets.
std::vector<std::string> private_controllers_wanted(const CgroupConfig& cfg);

// Where kiste mounts them: <run_root>/cgroup.
std::string private_mount_root();

// Mounts each wanted controller that is enabled but unmounted (v1 and hybrid
// hosts only); a controller mounted already is left alone.
Status mount_private_hierarchies(const CgroupConfig& cfg);

// Unmounts (and removes the mount point of) a private hierarchy that holds no
// cgroup any more, and makes sure the kernel gives the controller back
// (hierarchy 0 in /proc/cgroups): a v1 hierarchy unmounted while its removed
// cgroups are still dying lives on, and every process's /proc/PID/cgroup
// would show it. Anything else is left alone.
void release_private_hierarchy(const std::string& mountpoint);

}  // namespace kiste::cgroup
