// What the host's cgroup layout is and where the calling process sits in it,
// parsed from /proc/self/mountinfo and /proc/self/cgroup. The parsers take
// the text so unit tests feed them sample files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cgroup/cgroup.hpp"
#include "kiste/error.hpp"

namespace kiste::cgroup {

// A cgroup or cgroup2 mount (other filesystems are skipped).
struct CgroupMount {
    bool v2 = false;
    std::string mountpoint;               // "/sys/fs/cgroup/memory"
    std::string root;                     // the mount's root inside the hierarchy ("/")
    std::vector<std::string> super_opts;  // "rw", "memory", "name=systemd"...
};
std::vector<CgroupMount> parse_mountinfo(std::string_view text);

// A line of /proc/PID/cgroup: "4:memory:/a/b" or "0::/a".
struct ProcCgroup {
    int id = 0;
    std::vector<std::string> controllers;  // "memory", "name=systemd"; empty for v2
    std::string path;                      // "/a/b"
};
std::vector<ProcCgroup> parse_proc_cgroup(std::string_view text);

// Pure v2 when only cgroup2 is mounted (with or without a bare name=systemd
// v1 hierarchy), hybrid when v1 controller hierarchies and a cgroup2 mount
// coexist, v1 without a cgroup2 mount. Fails when nothing is mounted.
Result<Layout> layout_of(const std::vector<CgroupMount>& mounts);

// One hierarchy and where we are in it.
struct Hierarchy {
    bool v2 = false;
    std::vector<std::string> controllers;  // v1: from /proc/self/cgroup; v2: empty
    std::string mountpoint;
    std::string base;  // absolute dir of our own cgroup in this hierarchy
    [[nodiscard]] bool has(std::string_view controller) const;
    [[nodiscard]] std::string mount_name() const;  // last component of mountpoint
};

struct HostCgroups {
    Layout layout = Layout::V2;
    // v1/hybrid: one per mounted v1 hierarchy we are in, then the cgroup2
    // mount (hybrid). v2: exactly one.
    std::vector<Hierarchy> hierarchies;
};

// Matches each line of /proc/self/cgroup with its mount (by controller set;
// the first mount of a hierarchy wins) and computes our own cgroup's dir.
// Hierarchies that are not mounted (net_cls on this host) are left out.
Result<HostCgroups> discover(std::string_view mountinfo, std::string_view proc_cgroup);
Result<HostCgroups> discover_host();

// The mount a path lies on (longest mountpoint prefix); nullptr when none.
const CgroupMount* mount_of(const std::vector<CgroupMount>& mounts, std::string_view path);

// Reads a whole (small) file; for /proc files.
Result<std::string> read_text(const std::string& path);

}  // namespace kiste::cgroup
