// The manager face: named system containers in a container path, started
// under a per-container monitor process (see monitor.hpp).
#pragma once

#include <string>
#include <vector>

#include "base/log.hpp"
#include "config/lxc/config.hpp"
#include "kiste/error.hpp"
#include "state/container_state.hpp"

namespace kiste::manager {

// The container's config with -f/-s applied (LXCPATH/NAME/config when
// config_file is empty).
Result<lxc::LxcConfig> load_config(const state::ContainerPaths& paths,
                                   const std::string& config_file = {},
                                   const std::vector<std::string>& overrides = {});

struct StartOptions {
    bool foreground = false;             // -F: the console on this terminal, no detach
    std::string config_file;             // -f
    std::vector<std::string> overrides;  // -s KEY=VALUE
    std::vector<std::string> init_args;  // after --: runs instead of lxc.init.cmd
    bool allow_unapplied = false;
};
// Returns once the container is RUNNING (or, with foreground, once it stopped),
// or fails with the reason: EALREADY when it is not STOPPED (lxc-start
// counts that as success).
Status start(const state::ContainerPaths& paths, const StartOptions& opt, Logger& log);

struct StopOptions {
    int timeout_seconds = 60;  // then SIGKILL; -1 waits forever
    bool kill = false;         // -k: SIGKILL at once
    bool reboot = false;       // -r
};
enum class StopOutcome {
    Stopped,     // it halted (or -k killed it, as asked)
    Killed,      // it did not halt within the timeout and was killed
    NotRunning,  // it was not running
    Cleaned,     // its monitor had died: what that run left was cleaned up
    Rebooting,   // -r: the reboot signal was sent
};
// Stops a running container and cleans up what a dead run left behind.
Result<StopOutcome> stop_container(const state::ContainerPaths& paths, const StopOptions& opt,
                                   Logger& log);
// The same, for callers that only care that it is down (a stopped container
// and a kill after the timeout are no failure here).
Status stop(const state::ContainerPaths& paths, const StopOptions& opt, Logger& log);

// Removes the leftovers of a run whose monitor died: cgroups, host network
// devices, the runtime directory. A no-op when there are none or the
// container is live.
Status cleanup_stale(const state::ContainerPaths& paths, Logger& log);

// Waits until the container reaches one of `want` (or the timeout, -1 = forever).
Status wait_for_state(const state::ContainerPaths& paths, const std::vector<state::State>& want,
                      int timeout_seconds);

}  // namespace kiste::manager
