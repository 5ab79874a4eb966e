#include "base/process.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>
#include <string_view>

#include <fmt/format.h>

namespace kiste {

namespace {

struct StatFields {
    char state = 0;
    uint64_t start_time = 0;
};

// Fields 3 (the state) and 22 (the start time) of /proc/PID/stat.
StatFields read_stat(pid_t pid) {
    if (pid <= 0) return {};
    char path[64];
    auto end = fmt::format_to_n(path, sizeof path - 1, "/proc/{}/stat", pid).out;
    *end = '\0';
    UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) return {};
    char buf[1024];
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n <= 0) return {};
    std::string_view line(buf, static_cast<size_t>(n));
    // The command name may hold spaces and parentheses: fields start after
    // the last ')', with field 3.
    const size_t close = line.rfind(')');
    if (close == std::string_view::npos || close + 2 >= line.size()) return {};
    line.remove_prefix(close + 2);
    StatFields f;
    f.state = line.front();
    for (int field = 3; field < 22; ++field) {
        const size_t space = line.find(' ');
        if (space == std::string_view::npos) return {};
        line.remove_prefix(space + 1);
    }
    if (std::from_chars(line.data(), line.data() + line.size(), f.start_time).ec != std::errc{})
        return {};
    return f;
}

}  // namespace

uint64_t process_start_time(pid_t pid) {
    return read_stat(pid).start_time;
}

bool ProcessId::alive() const {
    if (pid <= 0 || start_time == 0) return false;
    const StatFields f = read_stat(pid);
    // A zombie has exited: only its parent's wait is missing.
    return f.start_time == start_time && f.state != 'Z' && f.state != 'X';
}

ProcessId this_process() {
    const pid_t me = ::getpid();
    return {me, process_start_time(me)};
}

Result<UniqueFd> open_process(const ProcessId& id) {
    if (id.pid <= 0) return fail(Error(ESRCH, "no process recorded"));
    UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, id.pid, 0)));
    if (!fd) return fail_errno("pidfd_open({})", id.pid);
    if (!id.alive()) return fail(Error(ESRCH, fmt::format("process {} is gone", id.pid)));
    return fd;
}

}  // namespace kiste
