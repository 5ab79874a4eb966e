// Where a named container lives and what state it is in.
//
//   LXCPATH/NAME/config, rootfs/, log          (the container's files)
//   RUNROOT[/p-HASH]/NAME/state.json            (the container's one state record)
//   RUNROOT[/p-HASH]/NAME/exec.fifo             (the exec gate of a CREATED container)
//   RUNROOT[/p-HASH]/NAME/monitor.sock          (the command/console socket of its face)
//   abstract socket "kiste:RUNROOT[/p-HASH]/NAME" (the name lock: serializes the
//                                                  commands on one name; held by the
//                                                  monitor or `kiste execute` while they
//                                                  own the container)
//
// RUNROOT is /run/kiste ($KISTE_RUN_DIR); containers of a non-default
// LXCPATH get a subdirectory keyed by a hash of that path, so two paths may
// hold containers of the same name.
//
// The record is written (atomically) before each resource it names exists,
// so whatever a killed process leaves is listed in it. State is computed,
// not trusted: from the record and the liveness (pid + start time) of the
// owner and the init it names (see observe()). A container need not have
// an owner: one created by a process that has exited lives on its record.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/process.hpp"
#include "kiste/error.hpp"
#include "net/record.hpp"

namespace kiste::state {

// CREATED: its init waits at the exec gate until `start`.
enum class State { Stopped, Starting, Running, Stopping, Aborting, Frozen, Created };
const char* state_name(State s);  // "STOPPED", ...
using kiste::process_start_time;
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
    [[nodiscard]] std::string exec_fifo() const { return run_dir() + "/exec.fifo"; }
};

// Which process owns a live container: the one that made it and tears it
// down (its parent, holding its name lock), or none.
enum class Face { None, Monitor, Execute };
const char* face_name(Face f);  // "", "monitor", "execute"

// The state record: everything a cleanup after a crash needs.
struct RuntimeState {
    State state = State::Stopped;  // as the owner last wrote it (see observe())
    Face face = Face::None;
    pid_t init_pid = 0;
    uint64_t init_start_time = 0;  // /proc/PID/stat field 22: guards against pid reuse
    pid_t owner_pid = 0;           // the monitor or the `kiste execute`; 0: none
    uint64_t owner_start_time = 0;
    int64_t created = 0;                            // seconds since the epoch
    std::vector<std::string> cgroup_paths;          // absolute cgroup directories kiste created
    std::vector<std::string> monitor_cgroup_paths;  // the monitor's own (kiste.monitor/NAME)
    std::vector<std::string> host_netdevs;          // host-side interfaces kiste created
    // All that the network setup made or moved on the host (net/record.hpp).
    net::HostRecord net;
    std::vector<std::string> ttys;  // pty names inside ("console", "tty1"...)
    std::string config_file;
    std::string log_file;
    int last_exit = -1;  // exit status of the previous run, -1 unknown

    [[nodiscard]] ProcessId init() const { return {init_pid, init_start_time}; }
    [[nodiscard]] ProcessId owner() const { return {owner_pid, owner_start_time}; }
};

// Atomic: a temporary file in the run directory, renamed over the record.
Status write_state(const ContainerPaths& p, const RuntimeState& s);
// nullopt when there is no state file.
Result<std::optional<RuntimeState>> read_state(const ContainerPaths& p);

// The record's state against the processes it names:
// - no record: STARTING while the name lock is held (an owner about to write
//   it), else STOPPED;
// - an owner recorded and gone: STOPPED, stale (it could not clean up);
// - init alive: CREATED while the exec gate exists, else the owner's
//   transitional state (STARTING, STOPPING, ABORTING), else RUNNING, or
//   FROZEN when its cgroup is;
// - init gone: the owner's transitional state while the owner lives (it is
//   tearing down: STOPPING when it wrote none), else STOPPED, stale.
struct Observed {
    State state = State::Stopped;
    std::optional<RuntimeState> recorded;  // what the file says, if any
    bool stale = false;                    // a dead run's record: cleanup removes what it names
};
Observed observe(const ContainerPaths& p);
// The same decision for a record in hand (no cgroup look: never FROZEN).
Observed observe_record(const ContainerPaths& p, RuntimeState r);

// Names of the containers in lxcpath (directories holding a config file), sorted.
std::vector<std::string> list_containers(const std::string& lxcpath);

}  // namespace kiste::state
