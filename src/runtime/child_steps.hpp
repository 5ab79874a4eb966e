// The container child's steps between MAPPED and the exec of its payload,
// over the Sys seam, so that unit tests run them against the recording fake
// and check their order (tests/unit/launch_order_test.cpp).
//
//   child_setup (launcher.cpp)          namespaces inside, rootfs, sysctls,
//                                       rlimits, keyring, cwd, late cgroups
//   finish_child (child_finish.cpp)     LSM label, credentials, capabilities,
//                                       no_new_privs, seccomp, close fds,
//                                       READY/GO, exec
#pragma once

#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "base/sys.hpp"
#include "base/unique_fd.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"
#include "runtime/channel.hpp"
#include "runtime/launcher.hpp"
#include "runtime/ns/namespaces.hpp"

namespace kiste::runtime {

// Everything the child does between MAPPED and its last steps. Runs as the
// new namespaces' root, single-threaded, in a copy of the parent's memory.
// `handed`: the fds that came with MAPPED (the rootfs, see RootfsForChild).
Status child_setup(Sys& sys, const ContainerSpec& spec, const LaunchOptions& opt,
                   const ns::JoinFds& joins, std::vector<UniqueFd> handed, Channel& chan,
                   Logger& log);

// The child's last steps, in one fixed order (the table in child_finish.cpp
// names each step and says why it sits where it does). With the real Sys it
// returns only on failure: the last step replaces the process. A failure
// stops the sequence at its step, and the error names that step
// ("credentials: ...").
// `log`: where the start hooks' output goes (none: those hooks are not run).
Status finish_child(Sys& sys, const ContainerSpec& spec, const LaunchOptions& opt, Channel& chan,
                    Logger* log = nullptr);
// The child waits for GO when the parent has work between READY and the
// exec: before_go, or start-host hooks.
bool waits_for_go(const ContainerSpec& spec, const LaunchOptions& opt);
// The names of finish_child's steps, in their order (for tests and messages).
std::vector<std::string_view> finish_child_steps();

}  // namespace kiste::runtime
