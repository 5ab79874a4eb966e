// Namespace steps of the launch, each with an outside part (run by the
// parent) and an inside part (run by the child), one file per namespace.
// Every kernel call goes through the Sys seam, so the steps run against the
// recording fake in unit tests.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "base/sys.hpp"
#include "base/unique_fd.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::runtime::ns {

// CLONE_NEW* flags for every namespace the spec wants new, except time and
// cgroup, which the child unshares itself: time offsets can be written only
// before a process enters the namespace (time.cpp), and a cgroup namespace
// takes its root from the cgroup the process is in when it is made, which is
// the container's own only after the parent has moved it there.
uint64_t clone_flags(const ContainerSpec& spec);

// ---- joined ("shared") namespaces: join.cpp
struct JoinFds {
    std::vector<std::pair<NsKind, UniqueFd>> fds;
};
// Opens every namespace the spec joins, before the clone. A path of the form
// "name:CONTAINER" needs the manager's lookup and is refused here.
Result<JoinFds> open_joins(Sys& sys, const ContainerSpec& spec);
// Outside: a pid namespace is joined by the parent for its children.
Status join_pid_for_children(Sys& sys, const JoinFds& joins);
// Inside: joins the user namespace first, then the others (not pid).
Status join_inside(Sys& sys, const JoinFds& joins);

// ---- user: user.cpp
// Outside: writes /proc/PID/{uid,gid}_map from the spec's id maps.
Status write_id_maps(Sys& sys, pid_t pid, const ContainerSpec& spec);
// Inside, once mapped: become root of the new user namespace.
Status become_ns_root(Sys& sys);

// ---- time: time.cpp. Inside: unshare the time namespace and write the
// offsets; the exec that follows moves the process into it.
Status setup_time(Sys& sys, const ContainerSpec& spec);

// ---- net: net.cpp. Inside: bring up the loopback of a fresh net namespace.
Status loopback_up(Sys& sys);

// ---- uts: uts.cpp. Inside: hostname and domain name.
Status set_names(Sys& sys, const ContainerSpec& spec);

}  // namespace kiste::runtime::ns
