// The console and tty ptys a monitor holds for its container, with the
// clients watching each and a ring buffer of recent console output.
#pragma once

#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::manager {

struct Pty {
    std::string name;          // "console", "tty1", ...
    UniqueFd master;           // non-blocking, kept by the monitor
    UniqueFd slave;            // kept open so the master never sees a hangup between gettys
    std::string recent;        // the last kRecent bytes of output
    std::vector<int> clients;  // client sockets attached to it
    UniqueFd logfile;          // lxc.console.logfile (console only)
    static constexpr size_t kRecent = 64 * 1024;

    void remember(std::string_view out);
};

// Allocates a pty on the host's /dev/ptmx. When the host has none left
// (ENOSPC), the error says which limit was hit, how many ptys kiste's
// containers hold, and how to raise it (pty_limit_message).
Result<Pty> open_pty(const std::string& name);

// The host's pty accounting, read when an allocation failed with ENOSPC.
struct PtyUsage {
    long max = -1;          // kernel.pty.max; -1 when unreadable
    long reserve = -1;      // kernel.pty.reserve (kept from instances other than the first)
    long in_use = -1;       // /proc/sys/kernel/pty/nr: ptys allocated on the whole host
    size_t containers = 0;  // kiste containers whose monitor lives and holds ptys
    size_t held = 0;        // the ptys those monitors hold (their state records' "ttys")
};

// `proc_pty`: /proc/sys/kernel/pty; `run_root`: kiste's runtime root, whose
// state records (NAME/state.json and p-HASH/NAME/state.json) are counted.
PtyUsage read_pty_usage(const std::string& proc_pty, const std::string& run_root);

// Which limit an ENOSPC from /dev/ptmx hit, what holds the ptys, and how to raise it.
std::string pty_limit_message(const PtyUsage& u);

}  // namespace kiste::manager
