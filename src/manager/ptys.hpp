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

Result<Pty> open_pty(const std::string& name);

}  // namespace kiste::manager
