// kiste ps: the processes of a running container, with the pid we see and
// the pid the container sees (the talk's lxc-ps), read from /proc by kiste
// itself, so it works for any rootfs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kiste/error.hpp"
#include "state/container_state.hpp"

namespace kiste::attach {

struct ProcessInfo {
    pid_t pid = 0;     // in our pid namespace
    pid_t cpid = 0;    // in the container's (the last NSpid field)
    uint32_t uid = 0;  // inside the container (through its uid_map)
    std::string user;  // the name in the container's /etc/passwd, else the number
    char state = '?';  // R, S, D, Z, T, ...
    uint64_t cpu_seconds = 0;
    std::string command;  // the command line, control characters as '?'
};

// The container's processes, sorted by pid: those in the recorded cgroup
// directories (recursively), or, when none are recorded, those in the init's
// pid namespace (its mount namespace when it shares our pid namespace).
// Fails when the container is not running.
Result<std::vector<pid_t>> container_pids(const state::ContainerPaths& paths);
Result<std::vector<ProcessInfo>> container_processes(const state::ContainerPaths& paths);

// "  PID  CPID USER     STAT     TIME COMMAND" and one line per process.
std::string format_ps_table(const std::vector<ProcessInfo>& procs);
// [{"pid", "cpid", "user", "uid", "state", "cpu_seconds", "command"}, ...]
std::string format_ps_json(const std::vector<ProcessInfo>& procs);

}  // namespace kiste::attach
