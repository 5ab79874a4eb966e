// The helpers' side of kiste attach (see wire.hpp for the protocol): the
// intermediate process enters the container's cgroups and namespaces, the
// attached process it clones as kiste's child becomes the command.
#pragma once

#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attach/target.hpp"
#include "attach/wire.hpp"
#include "base/clone.hpp"
#include "kiste/spec.hpp"

namespace kiste::attach {

using kiste::CloneArgs;

// Everything decided before the fork, so the helpers only act.
struct EnterPlan {
    NamespaceFds namespaces;             // to join, in order (open_namespaces)
    std::vector<CgroupJoin> cgroups;     // to join first, from the host's side
    std::optional<CapabilitySets> caps;  // nullopt: keep ours (--elevated-privileges)
    uint32_t uid = 0;
    std::optional<uint32_t> gid;  // nullopt: the uid's group in the container's passwd
    bool uid_given = false;
    bool clear_env = false;
    std::vector<std::string> env_set;     // -v
    std::vector<std::string> caller_env;  // our environment
    std::optional<std::string> cwd;       // nullopt: the user's home, else /
    std::vector<std::string> command;     // empty: the user's shell, else /bin/sh
    bool pty = false;
    sigset_t restore_mask{};  // the signal mask the command starts with
};

// Runs in the forked intermediate; never returns. Reports on `wire`.
[[noreturn]] void run_intermediate(const EnterPlan& plan, Wire& wire);

}  // namespace kiste::attach
