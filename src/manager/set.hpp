// kiste set NAME KEY=VALUE...: friendly resource names (cgroup/friendly.hpp)
// applied live to a running container and persisted to its config as the
// LXC keys of the host's layout.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cgroup/cgroup.hpp"
#include "kiste/error.hpp"
#include "state/container_state.hpp"

namespace kiste::manager {

// The cgroups a running container's monitor recorded (kiste cgroup, freeze,
// set, top); fails naming the container when it does not exist or runs not.
Result<std::unique_ptr<cgroup::Manager>> open_running_cgroups(const state::ContainerPaths& paths);

struct SetOptions {
    bool live = true;     // false: --config-only
    bool persist = true;  // false: --live-only
};

struct SetOutcome {
    bool applied_live = false;
    std::vector<std::string> config_lines;  // "lxc.cgroup.pids.max = 200", as persisted
    std::vector<std::string> notes;         // settings without effect on this host
};

Result<SetOutcome> set_resources(const state::ContainerPaths& paths,
                                 const std::vector<std::string>& assignments,
                                 const SetOptions& opt);

// ---- kiste top (set_top.cpp): usage of every container, sampled.
struct TopSample {
    std::string name;
    std::string state;  // RUNNING, FROZEN, STOPPED...
    bool has_stats = false;
    cgroup::Manager::Stats stats;
};
std::vector<TopSample> sample_all(const std::string& lxcpath);

// The table: CPU % from the cpu time used between `before` and `now` over
// `seconds` (100 % = one CPU busy), memory and limit, swap, block I/O, pids
// and limit, and the fail counters (memory and pids limit hits).
std::string format_top(const std::vector<TopSample>& before, const std::vector<TopSample>& now,
                       double seconds);

}  // namespace kiste::manager
