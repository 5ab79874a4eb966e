// kiste attach: run a command inside a running container (lxc-attach).
//
// The command joins every namespace of the container's init that differs
// from ours, its cgroups and its capability bounding set; it is made
// non-dumpable before it enters, so nothing inside can reach kiste's memory
// or binary through /proc. A pty (allocated inside the container) only when
// stdin and stdout are terminals; otherwise stdio passes through untouched,
// so pipes and binary data work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/child_guard.hpp"
#include "base/log.hpp"
#include "kiste/error.hpp"
#include "state/container_state.hpp"

namespace kiste::attach {

struct AttachOptions {
    std::vector<std::string> command;  // empty: the user's shell from the container's
                                       // /etc/passwd, else /bin/sh
    std::optional<uint32_t> uid;       // inside; default 0
    std::optional<uint32_t> gid;       // inside; default the uid's group in passwd (-u), else 0
    bool clear_env = false;            // --clear-env; the default keeps ours (lxc-attach)
    std::vector<std::string> env;      // -v VAR=VALUE (or VAR: our value)
    std::optional<std::string> cwd;    // default: the user's home, else /
    // -e: keep kiste's capabilities and stay out of the container's cgroups
    // (lxc-attach --elevated-privileges).
    bool elevated = false;
};

// Runs the command and waits for it, forwarding SIGTERM, SIGHUP, SIGQUIT,
// SIGUSR1, SIGUSR2 and SIGINT (without a pty, the terminal's own ^C already
// reaches the command and is not sent twice). Returns its exit status. A
// command that cannot be executed is logged as an error and returned as
// status 127 (not found) or 126 (found, not executable), like a shell; any
// other failure to attach is an error.
Result<ExitStatus> attach(const state::ContainerPaths& paths, const AttachOptions& opt,
                          Logger& log);

}  // namespace kiste::attach
