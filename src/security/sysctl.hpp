// lxc.sysctl.*: written through the container's /proc/sys. Only namespaced
// sysctls are accepted (runc's rule): anything else would change the host.
#pragma once

#include <string>
#include <string_view>

#include "base/log.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::security {

// "net.ipv4.ip_forward" -> "net/ipv4/ip_forward". A key that already holds a
// '/' is taken as a path as it is, so that dotted interface names
// ("net/ipv4/conf/eth0.100/forwarding") can be written. Empty, "." and ".."
// components and a leading '/' are refused.
Result<std::string> sysctl_path(std::string_view key);

// One key against the namespaces of `spec`:
//  kernel.{msgmax,msgmnb,msgmni,sem,shmall,shmmax,shmmni,shm_rmid_forced},
//  fs.mqueue.*                         -> an own ipc namespace
//  net.*                               -> an own net namespace
//  kernel.hostname, kernel.domainname  -> an own uts namespace
// "Own" means a new namespace or a joined one (Mode::Join; whether a joined
// path is in fact the host's is not checked here). Everything else is refused.
Status validate_sysctl(std::string_view key, const ContainerSpec& spec);
// Every spec.sysctls entry; pure, so it runs before anything is created.
Status validate_sysctls(const ContainerSpec& spec);

// Validates, then writes each value to <proc_sys>/<path> (opened beneath
// proc_sys, no symlinks followed). Call it in the container's child after its
// /proc is mounted and before /proc/sys is made read-only. `proc_sys` is a
// parameter so tests can point it at a directory of their own.
Status apply_sysctls(const ContainerSpec& spec, Logger& log,
                     const std::string& proc_sys = "/proc/sys");

}  // namespace kiste::security
