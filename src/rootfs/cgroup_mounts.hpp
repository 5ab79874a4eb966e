// lxc.mount.auto = cgroup[-full]:mixed|ro|rw inside the container.
//
// The container has its own cgroup namespace (the launcher unshares it after
// the parent placed the child in its cgroups), so a cgroup filesystem mounted
// from inside shows the container's own cgroup as its root: the host's other
// cgroups stay invisible without any bind tricks.
//
//   pure v2 host:   cgroup2 directly on /sys/fs/cgroup
//   v1 and hybrid:  a tmpfs on /sys/fs/cgroup, one dir per v1 hierarchy the
//                   container is in (named as on the host: "memory",
//                   "cpu,cpuacct", "systemd"), the host's symlinks between
//                   them ("cpu" -> "cpu,cpuacct"), and "unified" (cgroup2)
//                   on a hybrid host; the tmpfs is made read-only afterwards
//                   (except under rw)
//
// mixed and rw: the hierarchies are writable (the container's own cgroup is
// their root, so systemd and nested containers manage their subtree); ro:
// read-only. The -full variants mean the same in a cgroup namespace; without
// one, only cgroup-full is accepted (the host's whole hierarchy, as LXC).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"
#include "rootfs/plan.hpp"

namespace kiste::rootfs {

// What the container's /sys/fs/cgroup shows.
struct CgroupTree {
    struct Hierarchy {
        bool v2 = false;
        std::string dir;      // name below /sys/fs/cgroup: "memory", "systemd", "unified"
        std::string options;  // mount data for v1: "memory", "cpu,cpuacct", "none,name=systemd"
    };
    std::vector<Hierarchy> hierarchies;
    std::vector<std::pair<std::string, std::string>> links;  // name -> target dir
    bool pure_v2 = false;
    // The calling process is the root of its cgroup namespace in every
    // hierarchy (/proc/self/cgroup shows "/" everywhere).
    bool own_namespace = false;
};

// The tree from /proc/self/mountinfo and /proc/self/cgroup (texts), and the
// symlinks found in the host's cgroup mount directory (name -> target).
Result<CgroupTree> cgroup_tree_from(std::string_view mountinfo, std::string_view proc_cgroup,
                                    const std::vector<std::pair<std::string, std::string>>& links);
// The same, read from the running system (call it inside the container's
// cgroup namespace, before pivot_root).
Result<CgroupTree> host_cgroup_tree();

// The ops that build the tree below `target` (relative to the container's
// root, "sys/fs/cgroup"). Pure; fails when a non-full mode has no cgroup
// namespace to rely on.
Result<std::vector<MountOp>> cgroup_mount_ops(AutoMounts::Cgroup mode, const CgroupTree& tree,
                                              const std::string& target);

}  // namespace kiste::rootfs
