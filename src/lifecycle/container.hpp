// One container lifecycle over one state record (state/container_state.hpp):
//
//        create                 start                 init exits            delete
//   ───────────> CREATED ─────────────────> RUNNING ─────────────> STOPPED ─────────> (gone)
//                  │    (exec gate opened)   │  ^  pause/resume       ^
//                  │                         v  │  (cgroup freezer)   │
//                  │                        FROZEN                    │
//                  └────────────── kill ──────────────────────────────┘
//
// Three faces drive it. `kiste start` (its monitor) and `kiste execute` own
// the container they make: an OwnedRun, created and started in one go (no
// exec gate: no round trip), torn down by the owner when the init exits.
// `kiste-oci` (and the unit test's third face) creates a container with
// create(), exits, and starts it later from another process with start():
// such a container has no owner and lives on its record alone.
//
// The exec gate (runc's exec.fifo): create() makes the FIFO
// RUNROOT/.../NAME/exec.fifo and hands the init an O_RDWR fd of it; the init,
// as its last step before execve, blocks reading one byte from it. start()
// opens the FIFO for writing (ENXIO: nobody reads, the init died), writes
// that byte and removes the FIFO: while the FIFO exists the state is CREATED.
//
// Every command that changes a container takes its name lock
// (state/run_lock.hpp) for as long as it works on it; whoever finds a dead
// record (its owner gone, or no owner and its init gone) removes what it
// names with cleanup().
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "base/child_guard.hpp"
#include "base/log.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"
#include "runtime/launcher.hpp"
#include "state/container_state.hpp"
#include "state/run_lock.hpp"

namespace kiste::lifecycle {

// What starts a container's init: runtime::launch for the real faces, a
// plain fork in a unit test. With opt.exec_gate_fd >= 0 it returns once the
// init waits at the gate.
class Launcher {
public:
    virtual ~Launcher() = default;
    virtual Result<ChildGuard> launch(const ContainerSpec& spec, const runtime::LaunchOptions& opt,
                                      Logger& log) = 0;
};

// runtime::launch.
class RuntimeLauncher final : public Launcher {
public:
    Result<ChildGuard> launch(const ContainerSpec& spec, const runtime::LaunchOptions& opt,
                              Logger& log) override;
};

// A container owned by this process while it runs (the monitor, `kiste
// execute`): the record names this process as its owner from the first
// write on, so a kill -9 of it at any step leaves a record that the next
// command recognizes as dead. The caller holds the name lock.
class OwnedRun {
public:
    // Makes the run directory and writes the first record (STARTING). What
    // it made goes with remove_files(), also when it fails.
    Status begin(const state::ContainerPaths& paths, state::Face face, std::string config_file);

    [[nodiscard]] const state::ContainerPaths& paths() const { return paths_; }
    state::RuntimeState& record() { return rs_; }
    // Writes the record as it is now; `st` is the state to record.
    Status save(state::State st);
    Status save() { return save(rs_.state); }
    // The init runs: its pid and start time, RUNNING.
    Status running(pid_t init);
    // The end of the run, after the owner took down what it made: removes the
    // record, its socket and the run directory.
    void remove_files();

private:
    state::ContainerPaths paths_;
    state::RuntimeState rs_;
};

// create: a container whose init waits at the exec gate, with no owner once
// create returns (the caller may exit). Takes the name lock while it works;
// a dead record of the name is cleaned up first.
Status create(const state::ContainerPaths& paths, const ContainerSpec& spec, Launcher& launcher,
              Logger& log);

// Opens the exec gate of a CREATED container.
Status start(const state::ContainerPaths& paths);

// Sends `sig` to the init (through a pidfd: never to a process that reused its pid).
Status kill(const state::ContainerPaths& paths, int sig);

// Freezes and thaws the container's cgroup.
Status pause(const state::ContainerPaths& paths);
Status resume(const state::ContainerPaths& paths);

// Stops a container that has no monitor to ask (`kiste execute`'s, or one
// with no owner): `halt_signal` to the init, up to `timeout_seconds` (-1:
// forever; 0 or `kill_now`: SIGKILL at once) for it to exit, then SIGKILL;
// then waits until its owner, if any, has cleaned up and released the
// name (an ownerless one is cleaned up here). Returns whether it had to kill.
Result<bool> stop(const state::ContainerPaths& paths, int halt_signal, int timeout_seconds,
                  bool kill_now, Logger& log);

// delete: removes a STOPPED container's record and what it names (force:
// kills a live one first). A container with a live owner is the owner's.
Status remove(const state::ContainerPaths& paths, bool force, Logger& log);

// What a dead record names (cgroups, the monitor's cgroup, the host
// network, the exec gate, the run directory) is removed; a no-op when the
// container is live or has no record. The one cleanup of both faces.
Status cleanup(const state::ContainerPaths& paths, Logger& log);

// cleanup() of every dead record directly in `run_root` (the containers of
// one container path), skipping `except`: what killed runs of other names
// left behind.
void sweep(const std::string& lxcpath, const std::string& except, Logger& log);

// The names with a record in the run root of `lxcpath` (running or not),
// sorted: containers that `kiste execute` runs have no config to list.
std::vector<std::string> recorded_names(const std::string& lxcpath);

}  // namespace kiste::lifecycle
