// The environment of an attached process (lxc-attach's rules, made explicit).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attach/procfs.hpp"
#include "kiste/error.hpp"

namespace kiste::attach {

// -v entries: "KEY=VALUE", or a bare "KEY" that takes the caller's value (and
// is left out when the caller has none). An empty key is an error.
Status validate_env_entries(const std::vector<std::string>& entries);

// The final envp:
//  - keep (default, lxc-attach's --keep-env): the caller's environment, with
//    container=lxc, and PATH set to the default when the caller has none;
//  - clear (--clear-env): PATH=<default> and container=lxc, nothing else (as
//    lxc-attach: no TERM, no HOME; -v TERM or -v HOME=... add them);
// then each -v entry replaces an earlier one of its key in place or is added.
std::vector<std::string> attach_environment(std::span<const std::string> caller_env, bool clear,
                                            const std::vector<std::string>& set);

// PATH lookup inside the container (after entering its mount namespace), with
// the attached process's PATH, as execvp would do. A name with a '/' is
// returned as it is; a name found nowhere too (execve then says ENOENT).
std::string resolve_command(const std::string& cmd, std::span<const std::string> env);

}  // namespace kiste::attach
