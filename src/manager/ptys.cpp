#include "manager/ptys.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/fail_point.hpp"
#include "base/json.hpp"
#include "state/container_state.hpp"
#include "state/run_lock.hpp"

namespace kiste::manager {

namespace {

long read_number(const std::string& path) {
    std::ifstream f(path);
    long v = -1;
    if (!(f >> v)) return -1;
    return v;
}

// The ptys a live monitor holds, from its state record; 0 when its monitor
// is gone (a stale record holds nothing).
size_t ptys_held_by(const std::filesystem::path& state_file) {
    std::ifstream f(state_file);
    if (!f) return 0;
    std::stringstream ss;
    ss << f.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return 0;
    const auto pid = json_field(j, "owner_pid", pid_t{0});
    const auto start = json_field(j, "owner_start_time", uint64_t{0});
    if (pid <= 0 || start == 0 || process_start_time(pid) != start) return 0;
    const auto ttys = j.find("ttys");
    return ttys != j.end() && ttys->is_array() ? ttys->size() : 0;
}

}  // namespace

PtyUsage read_pty_usage(const std::string& proc_pty, const std::string& run_root) {
    namespace fs = std::filesystem;
    PtyUsage u;
    u.max = read_number(proc_pty + "/max");
    u.reserve = read_number(proc_pty + "/reserve");
    u.in_use = read_number(proc_pty + "/nr");
    auto count = [&u](const fs::path& file) {
        if (size_t n = ptys_held_by(file); n > 0) {
            ++u.containers;
            u.held += n;
        }
    };
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(run_root, ec)) {
        if (!e.is_directory(ec)) continue;
        if (fs::exists(e.path() / "state.json", ec)) {
            count(e.path() / "state.json");
            continue;
        }
        // A non-default lxcpath's subdirectory (p-HASH) holds its containers.
        for (const auto& c : fs::directory_iterator(e.path(), ec))
            if (c.is_directory(ec)) count(c.path() / "state.json");
    }
    return u;
}

std::string pty_limit_message(const PtyUsage& u) {
    const std::string held = fmt::format(
        "kiste's {} running {} {} of them (the console and the lxc.tty.max ttys of "
        "each)",
        u.containers, u.containers == 1 ? "container holds" : "containers hold", u.held);
    if (u.max < 0 || u.in_use < 0)
        return fmt::format("the host's pty limit cannot be read (/proc/sys/kernel/pty); {}", held);
    const long raise_to = std::max(u.max * 2, u.in_use + 1024);
    const std::string raise = fmt::format(
        "raise it with `sysctl kernel.pty.max={}`, or give the containers fewer ttys "
        "(lxc.tty.max)",
        raise_to);
    if (u.in_use >= u.max)
        return fmt::format(
            "the host's pty limit is reached: kernel.pty.max = {}, with {} in use "
            "(/proc/sys/kernel/pty/nr); {}; {}",
            u.max, u.in_use, held, raise);
    if (u.reserve > 0 && u.in_use >= u.max - u.reserve)
        return fmt::format(
            "the pty limit of a devpts instance other than the host's first is reached: "
            "kernel.pty.max = {} less kernel.pty.reserve = {}, with {} in use "
            "(/proc/sys/kernel/pty/nr); {}; {}",
            u.max, u.reserve, u.in_use, held, raise);
    return fmt::format(
        "kernel.pty.max = {} is not reached ({} in use, /proc/sys/kernel/pty/nr): the devpts "
        "instance behind /dev/ptmx has a lower limit of its own (its max= mount option, see "
        "/proc/self/mountinfo); {}",
        u.max, u.in_use, held);
}

void Pty::remember(std::string_view out) {
    recent.append(out);
    if (recent.size() > kRecent) recent.erase(0, recent.size() - kRecent);
}

Result<Pty> open_pty(const std::string& name) {
    Pty p;
    p.name = name;
    if (fail_point("pty-" + name))
        errno = ENOSPC;
    else
        p.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
    if (!p.master) {
        if (errno != ENOSPC) return fail_errno("allocating a pty for the container's {}", name);
        return fail(Error::msg(fmt::format(
            "allocating a pty for the container's {}: {}: {}", name, std::strerror(ENOSPC),
            pty_limit_message(read_pty_usage("/proc/sys/kernel/pty", state::run_root())))));
    }
    if (::grantpt(p.master.get()) < 0 || ::unlockpt(p.master.get()) < 0)
        return fail_errno("unlocking the pty for {}", name);
    char path[64];
    if (::ptsname_r(p.master.get(), path, sizeof path) != 0)
        return fail_errno("naming the pty for {}", name);
    p.slave.reset(::open(path, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!p.slave) return fail_errno("opening {} for the container's {}", path, name);
    // A sane default size until a client tells its own.
    winsize ws{};
    ws.ws_row = 24;
    ws.ws_col = 80;
    ::ioctl(p.master.get(), TIOCSWINSZ, &ws);
    return p;
}

}  // namespace kiste::manager
