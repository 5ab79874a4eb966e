#include "manager/ptys.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace kiste::manager {

void Pty::remember(std::string_view out) {
    recent.append(out);
    if (recent.size() > kRecent) recent.erase(0, recent.size() - kRecent);
}

Result<Pty> open_pty(const std::string& name) {
    Pty p;
    p.name = name;
    p.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
    if (!p.master) return fail_errno("allocating a pty for the container's {}", name);
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
