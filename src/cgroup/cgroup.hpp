// The cgroup manager: a container's cgroups on cgroup v1, hybrid and v2 hosts.
//
//   make_manager(name, cfg)      where the container's cgroups go (below our own
//                                cgroup: kiste.payload/NAME; lxc.cgroup.dir* honoured)
//   create()                     before the init runs; a crashed run's leftover is
//                                killed and removed first
//   attach(pid) / open_v2_dir()  v1: the parent moves the child in; v2: clone3
//                                CLONE_INTO_CGROUP with the directory fd
//   apply_settings(cfg)          raw lxc.cgroup.* / lxc.cgroup2.* in a sensible order,
//                                translated to the host's layout where needed
//   kill_all() / destroy()       at stop, after a crash (open_manager(recorded paths))
//
// kiste never leaves the cgroup it was started in and never writes to a cgroup
// it did not create, with one exception on pure v2: controllers must be enabled
// in the parent's cgroup.subtree_control for the container to get them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::cgroup {

enum class Layout { V1, Hybrid, V2 };
const char* layout_name(Layout l);  // "v1", "hybrid", "v2"

// The host's layout, from /proc/self/mountinfo.
Result<Layout> detect_layout();

// One hierarchy the container's cgroup lives in, as the mount plan of
// `lxc.mount.auto = cgroup:*` needs it.
struct HierarchyInfo {
    bool v2 = false;
    std::vector<std::string> controllers;  // "cpu", "cpuacct", "name=systemd"; empty on v2
    std::string mount_name;                // the dir name below /sys/fs/cgroup on the host
    std::string mountpoint;                // where the hierarchy is mounted on the host
    std::string dir;                       // the container's cgroup (absolute host path)
    std::string join_dir;  // where processes join (dir, or lxc.cgroup.dir.container.inner)
};

class Manager {
public:
    Manager() = default;
    Manager(const Manager&) = delete;
    Manager& operator=(const Manager&) = delete;
    virtual ~Manager() = default;

    [[nodiscard]] virtual Layout layout() const = 0;

    // Creates the container's cgroups (all hierarchies) before its init runs.
    // A leftover cgroup of the same name from a crashed run is killed and
    // removed first.
    virtual Status create() = 0;
    // create() in two steps: the v2 cgroup first (a launch clones into it),
    // the v1 ones later (kiste execute makes them while the child sets
    // itself up). create_v2() also clears a crashed run's leftovers.
    virtual Status create_v2() = 0;
    virtual Status create_v1() = 0;
    // Moves a process in (all hierarchies).
    virtual Status attach(pid_t pid) = 0;
    // v2: a new O_DIRECTORY fd of the container's cgroup for clone3
    // CLONE_INTO_CGROUP; the caller owns it (wrap it in a UniqueFd).
    // v1 and hybrid: -1 (use attach).
    virtual Result<int> open_v2_dir() = 0;
    // The raw lxc.cgroup.* / lxc.cgroup2.* settings, ordered, validated and
    // translated to the host's layout (settings.hpp, translate.hpp); notes
    // (keys without an equivalent) go to warnings(). On v2, device rules
    // become an eBPF program; applying again replaces it (live updates).
    virtual Status apply_settings(const CgroupConfig& cfg) = 0;

    // Hands the container's cgroups (its dirs and the files needed to create
    // and join subgroups) to the container's root in its user namespace, so
    // that systemd and nested containers manage their subtree (LXC's
    // chown_cgroup). The limits stay root's.
    virtual Status delegate(uid_t uid, gid_t gid) = 0;

    virtual Status freeze() = 0;
    virtual Status thaw() = 0;
    virtual Result<bool> frozen() = 0;

    // Kills every process in the container's cgroup and waits until it is empty.
    virtual Status kill_all() = 0;
    // kill_all, then removes the cgroups (deepest first) in all hierarchies.
    virtual Status destroy() = 0;

    // All pids in the container's cgroup (recursive), sorted.
    virtual Result<std::vector<pid_t>> pids() = 0;
    // One file of the container's cgroup: "memory.limit_in_bytes", "memory.max"...
    virtual Result<std::string> get(const std::string& key) = 0;
    virtual Status set(const std::string& key, const std::string& value) = 0;

    struct Stats {
        uint64_t memory_usage = 0;
        uint64_t memory_limit = 0;  // 0 = none
        uint64_t cpu_usage_ns = 0;
        uint64_t pids = 0;
        uint64_t oom_kills = 0;
        uint64_t swap_usage = 0;
        uint64_t pids_limit = 0;  // 0 = none
        // OpenVZ-style fail counters: how often a limit was hit.
        uint64_t memory_limit_hits = 0;  // v1 memory.failcnt, v2 memory.events max
        uint64_t pids_limit_hits = 0;    // pids.events max (forks refused)
        uint64_t io_read_bytes = 0;
        uint64_t io_write_bytes = 0;
    };
    virtual Result<Stats> stats() = 0;

    // Absolute dirs of the container's cgroups (record them for crash cleanup;
    // open_manager takes them back). With lxc.cgroup.dir.container.inner the
    // inner dirs follow the outer ones.
    [[nodiscard]] virtual std::vector<std::string> paths() const = 0;
    [[nodiscard]] virtual std::vector<HierarchyInfo> hierarchies() const = 0;
    // Things the caller should log: settings without an equivalent on this
    // layout, controllers that could not be enabled.
    [[nodiscard]] virtual const std::vector<std::string>& warnings() const = 0;
};

// The host uid/gid of the container's root when the spec has a new user
// namespace that maps it; nullopt otherwise (nothing to delegate).
std::optional<std::pair<uid_t, gid_t>> userns_root_owner(const ContainerSpec& spec);

// For container NAME with its spec's cgroup config: placement below our own
// cgroup (minus our own monitor cgroup when called from inside it).
Result<std::unique_ptr<Manager>> make_manager(const std::string& name, const CgroupConfig& cfg);

// Re-opens a container's cgroups from the recorded paths (after a crash, for
// freeze, cgroup, info, stop). Fails when none of them exists any more.
Result<std::unique_ptr<Manager>> open_manager(const std::vector<std::string>& recorded_paths);

// The monitor's own cgroup, kiste.monitor/NAME (or lxc.cgroup.dir.monitor):
// enter_monitor_cgroup() creates it in every hierarchy and moves the calling
// process in; leave() moves the process back to the cgroup it came from (on
// v2, when that one now delegates controllers, to the pivot:
// lxc.cgroup.dir.monitor.pivot, else kiste.monitor) and removes the monitor
// cgroup. The destructor leaves when leave() was not called.
class MonitorCgroup {
public:
    virtual ~MonitorCgroup() = default;
    virtual Status leave() = 0;
    [[nodiscard]] virtual std::vector<std::string> paths() const = 0;
};
Result<std::unique_ptr<MonitorCgroup>> enter_monitor_cgroup(const std::string& name,
                                                            const CgroupConfig& cfg);
// For a monitor started straight in its cgroup v2 directory (clone3
// CLONE_INTO_CGROUP), sparing it the cgroup.procs write whose first taking of
// the kernel's threadgroup lock waits for an RCU grace period (~10 ms): makes
// the monitor cgroup in the v2 hierarchy and returns an O_DIRECTORY fd of it
// (the caller owns it), -1 when the host has no v2 hierarchy.
// enter_monitor_cgroup then finds the process there and only records it.
Result<int> prepare_monitor_cgroup(const std::string& name, const CgroupConfig& cfg);
// Removes a dead monitor's cgroup (after kill -9 of the monitor); fails with
// EBUSY, and kills nothing, while a process is still in it.
Status remove_monitor_cgroup(const std::string& name, const CgroupConfig& cfg);

}  // namespace kiste::cgroup
