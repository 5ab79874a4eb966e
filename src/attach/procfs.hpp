// Pure parsers of what attach and ps read about a container's processes:
// /proc/PID/status fields, capability masks, NSpid, uid_map, /proc/PID/cgroup,
// and the container's /etc/passwd. No I/O here, so unit tests feed text.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::attach {

// The value of "Key:\tvalue" in /proc/PID/status text, whitespace trimmed.
std::optional<std::string> status_field(std::string_view status, std::string_view key);

// The capability sets of a process attached as `uid` (inside the container)
// to a container whose init has `init` (LXC's rule): its bounding set is the
// init's; root gets the whole bounding set as permitted and effective, which
// is what an exec as root would give anyway, and the init's inheritable set
// within it; any other uid gets none (the kernel would clear them at exec).
// Nothing is ambient.
CapabilitySets caps_for_attached(const CapabilitySets& init, uint32_t uid);

// "000001ffffffffff" -> 0x1ffffffffff.
std::optional<uint64_t> parse_hex_mask(std::string_view hex);

// CapBnd/CapInh/CapPrm/CapEff/CapAmb of /proc/PID/status. CapAmb is optional
// (kernels before 4.3); the other four must be there.
Result<CapabilitySets> caps_from_status(std::string_view status);

// The pid as the innermost pid namespace sees it: the last field of NSpid
// (the plain Pid on kernels without NSpid).
std::optional<pid_t> innermost_pid(std::string_view status);

// The real uid (first field of Uid:).
std::optional<uint32_t> real_uid(std::string_view status);

// One line of passwd: name:password:uid:gid:gecos:home:shell.
struct PasswdEntry {
    std::string name;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string home;
    std::string shell;
};
// The first entry with `uid`; lines that do not parse are skipped.
std::optional<PasswdEntry> passwd_by_uid(std::string_view passwd, uint32_t uid);

// Maps an id of the reader's user namespace into the namespace that a
// /proc/PID/{uid,gid}_map describes ("inside outside count" per line).
// nullopt when the id is not mapped.
std::optional<uint32_t> map_into_ns(uint32_t outer_id, std::string_view id_map);

// Where a process is in the hierarchy of a recorded cgroup directory.
// `recorded` is an absolute directory (MOUNTPOINT + CGPATH, e.g.
// /sys/fs/cgroup/pids/kiste/c1); `proc_cgroup` is /proc/PID/cgroup as seen
// from our cgroup namespace. Returns, for every line whose path lies at or
// below a directory that `recorded` could name, MOUNTPOINT + that path: the
// candidates for the process's directory in the recorded one's hierarchy. The
// caller keeps the one on the same file system (st_dev) as `recorded`, since
// text alone cannot tell two v1 hierarchies with equal paths apart.
// Used when the recorded directory refuses a process (cgroup v2's no-internal-
// process rule: systemd inside moved itself into init.scope).
std::vector<std::string> process_cgroup_candidates(const std::string& recorded,
                                                   std::string_view proc_cgroup);

// ps's TIME column: [DD-]HH:MM:SS.
std::string format_cpu_time(uint64_t seconds);

// /proc/PID/cmdline (NUL-separated) as one line; control characters become
// '?' so a process name cannot send escape sequences to the user's terminal.
std::string printable_cmdline(std::string_view cmdline);

// Fields 14 and 15 of /proc/PID/stat (utime + stime, in clock ticks).
std::optional<uint64_t> cpu_ticks_from_stat(std::string_view stat);

}  // namespace kiste::attach
