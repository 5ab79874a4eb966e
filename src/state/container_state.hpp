// Where a named container lives and what state it is in.
//
//   LXCPATH/NAME/config, rootfs/, log          (the container's files)
//   RUNROOT[/p-HASH]/NAME/state.json            (runtime state, written by its monitor)
//   RUNROOT[/p-HASH]/NAME/monitor.sock          (the monitor's command socket)
//   abstract socket "kiste:RUNROOT[/p-HASH]/NAME" (the name lock, held by the monitor
//                                                  or by `kiste execute`)
//
// RUNROOT is /run/kiste ($KISTE_RUN_DIR); containers of a non-default
// LXCPATH get a subdirectory keyed by a hash of that path, so two paths may
// hold containers of the same name.
//
// State is computed, not trusted: a state file says RUNNING only while the
// name lock is held and its init pid is alive with the recorded start time;
// otherwise the container is STOPPED and its leftovers are stale.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "kiste/error.hpp"
#include "net/record.hpp"

namespace kiste::state {

enum class State { Stopped, Starting, Running, Stopping, Aborting, Frozen };
const char* state_name(State s);  // "STOPPED", ...
std::optional<State> parse_state(std::string_view s);

constexpr const char* kDefaultLxcPath = "/var/lib/kiste";

struct ContainerPaths {
    std::string lxcpath;
    std::string name;
    [[nodiscard]] std::string dir() const { return lxcpath + "/" + name; }
    [[nodiscard]] std::string config() const { return dir() + "/config"; }
    [[nodiscard]] std::string rootfs() const { return dir() + "/rootfs"; }
    [[nodiscard]] std::string log() const { return dir() + "/log"; }
    // Runtime directory and the lock's root (see above).
    [[nodiscard]] std::string run_root() const;
    [[nodiscard]] std::string run_dir() const { return run_root() + "/" + name; }
    [[nodiscard]] std::string state_file() const { return run_dir() + "/state.json"; }
    [[nodiscard]] std::string monitor_socket() const { return run_dir() + "/monitor.sock"; }
};

// What the monitor records while the container runs.
struct RuntimeState {
    State state = State::Stopped;
    pid_t init_pid = 0;
    uint64_t init_start_time = 0;  // /proc/PID/stat field 22: guards against pid reuse
    pid_t monitor_pid = 0;
    uint64_t monitor_start_time = 0;
    std::vector<std::string> cgroup_paths;          // absolute cgroup directories kiste created
    std::vector<std::string> monitor_cgroup_paths;  // the monitor's own (kiste.monitor/NAME)
    std::vector<std::string> host_netdevs;          // host-side interfaces kiste created
    // All that the network setup made or moved on the host (net/record.hpp).
    net::HostRecord net;
    std::vector<std::string> ttys;  // pty names inside ("console", "tty1"...)
    std::string config_file;
    std::string log_file;
    int last_exit = -1;  // exit status of the previous run, -1 unknown
};

Status write_state(const ContainerPaths& p, const RuntimeState& s);
// nullopt when there is no state file.
Result<std::optional<RuntimeState>> read_state(const ContainerPaths& p);

// Start time of a process (clock ticks since boot), 0 when it does not exist.
uint64_t process_start_time(pid_t pid);

// The true state now: the file's state when the lock is held and init lives
// with its recorded start time; otherwise STOPPED.
struct Observed {
    State state = State::Stopped;
    std::optional<RuntimeState> recorded;  // what the file says, if any
    bool stale = false;                    // a state file or leftovers of a dead run exist
};
Observed observe(const ContainerPaths& p);

// Names of the containers in lxcpath (directories holding a config file), sorted.
std::vector<std::string> list_containers(const std::string& lxcpath);

}  // namespace kiste::state
