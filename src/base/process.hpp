// A process named by pid and start time: a pid alone may have been reused
// by an unrelated process since it was recorded, the pair never is.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste {

// Start time of a process (clock ticks since boot, /proc/PID/stat field
// 22), 0 when it does not exist.
uint64_t process_start_time(pid_t pid);

struct ProcessId {
    pid_t pid = 0;
    uint64_t start_time = 0;
    // Whether this very process lives (a zombie has exited: it does not).
    [[nodiscard]] bool alive() const;
    [[nodiscard]] bool empty() const { return pid <= 0; }
    bool operator==(const ProcessId&) const = default;
};

// The calling process.
ProcessId this_process();

// A pidfd of `id`: opened first, then the start time checked, so the fd
// names the recorded process and no later owner of the pid. ESRCH when it is
// gone.
Result<UniqueFd> open_process(const ProcessId& id);

}  // namespace kiste
