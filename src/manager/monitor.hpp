// The per-container monitor: a small process that holds the container's name
// lock, owns its console and tty ptys, is the parent of its init (reaps it,
// restarts it on reboot), answers stop/console/state requests on the monitor
// socket, and cleans up (cgroups, runtime files) when the container stops.
#pragma once

#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/unique_fd.hpp"
#include "kiste/spec.hpp"
#include "state/container_state.hpp"

namespace kiste::manager {

struct MonitorSetup {
    state::ContainerPaths paths;
    ContainerSpec spec;
    std::string config_file;
    // A pipe to the `kiste start` that forked us: "OK" once RUNNING, or the
    // error. None in the foreground.
    UniqueFd report;
    // -F: the console is this process's terminal.
    bool foreground = false;
    // What the start reports without failing (cgroup keys this host cannot
    // honour): ahead of the OK on report_fd, one "WARN text\n" each.
    std::vector<std::string> warnings;
};

// Runs until the container has stopped; returns the exit code for the process.
int run_monitor(MonitorSetup& setup, Logger& log);

}  // namespace kiste::manager
