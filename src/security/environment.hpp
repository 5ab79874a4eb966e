// The environment of the container's process: a clean one, as lxc-start and
// lxc-execute give, never the host's.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kiste/spec.hpp"

namespace kiste::security {

inline constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The final envp, in this order:
//   PATH=<kDefaultPath>, container=lxc (systemd and scripts recognise it),
//   TERM=<the host's> (only when the host has one), HOME=<the home of
//   process.uid in <passwd>, else "/">,
// then each process.env entry: "KEY=VALUE" replaces an earlier KEY in place
// or is appended; a bare "KEY" takes the host's value (LXC's lxc.environment
// = KEY) and is left out when the host has none.
// `host_env` is the host's environment ("KEY=VALUE" strings) and `passwd` the
// passwd file to read HOME from: the container's own /etc/passwd when called
// after pivot_root.
std::vector<std::string> build_environment(const ProcessSpec& process,
                                           std::span<const std::string> host_env,
                                           const std::string& passwd);
// The same with this process's environ and /etc/passwd.
std::vector<std::string> build_environment(const ProcessSpec& process);

// The home directory of `uid` in a passwd file; empty when not found or the
// file is not a readable regular file (a FIFO planted in a rootfs must not
// hang the start).
std::string home_of(uint32_t uid, const std::string& passwd);

// Splits an /etc/passwd line (name:password:uid:gid:gecos:home:shell) into
// at most 7 fields; returns how many it found.
size_t split_passwd_line(std::string_view line, std::string_view (&fields)[7]);

// "KEY=VALUE" -> "KEY" (a bare "KEY" is its own key).
std::string_view env_key(std::string_view entry);
// Replaces the entry with the same key in place, or appends it.
void set_env_entry(std::vector<std::string>& env, std::string entry);

}  // namespace kiste::security
