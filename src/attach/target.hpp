// The running container that attach and ps act on: its init, verified to be
// the process the state file recorded (start time plus a pidfd, so a reused
// pid never redirects us), and what we read about it through /proc.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"
#include "state/container_state.hpp"

namespace kiste::attach {

struct Target {
    std::string name;
    pid_t pid = 0;  // init's pid in our pid namespace
    UniqueFd pidfd;
    state::RuntimeState recorded;
};

// Finds the container's init and checks it: the container must be RUNNING
// (a STOPPED, FROZEN, STARTING... one is refused with its state in the
// message), and the process now holding the recorded pid must have the
// recorded start time, checked after the pidfd is open.
Result<Target> open_target(const state::ContainerPaths& paths);

// Fails when the init has exited since open_target. Anything read from
// /proc/PID between open_target and a successful check was the init's:
// while the pidfd's process lives, its pid cannot be reused.
Status check_alive(const Target& t);

// /proc/PID/<what> (status, cgroup, uid_map, ...), at most 1 MiB.
Result<std::string> read_proc(pid_t pid, const std::string& what);

// The namespaces of the init that differ from ours, opened, in the order
// they must be joined: user first (it grants the rights for the rest), then
// mnt, pid, uts, ipc, net, cgroup, time. A namespace type this kernel lacks
// is skipped.
using NamespaceFds = std::vector<std::pair<NsKind, UniqueFd>>;
Result<NamespaceFds> open_namespaces(const Target& t);

// One recorded cgroup directory to join, and where the init itself is in that
// hierarchy (below the recorded one; empty when it is the same directory).
struct CgroupJoin {
    std::string dir;
    std::string init_dir;
    bool joined = false;  // the intermediate was cloned into it (cgroup v2)
};
Result<std::vector<CgroupJoin>> cgroup_joins(const Target& t);

// Reads a small regular file of the container's tree, resolved with
// openat2(RESOLVE_IN_ROOT) beneath an O_PATH fd of /proc/PID/root, so its
// symlinks cannot lead to the host's files; a FIFO or device is refused
// rather than opened. Empty string when absent.
Result<std::string> read_container_file(const Target& t, const std::string& path);

}  // namespace kiste::attach
