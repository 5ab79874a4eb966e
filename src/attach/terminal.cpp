#include "attach/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace kiste::attach {

Result<RawMode> RawMode::enter(int fd) {
    termios saved{};
    if (::tcgetattr(fd, &saved) < 0) return fail_errno("reading the terminal's settings");
    termios raw = saved;
    ::cfmakeraw(&raw);
    if (::tcsetattr(fd, TCSADRAIN, &raw) < 0) return fail_errno("setting the terminal to raw mode");
    return RawMode(fd, saved);
}

RawMode::RawMode(RawMode&& o) noexcept : fd_(std::exchange(o.fd_, -1)), saved_(o.saved_) {}

RawMode::~RawMode() {
    if (fd_ < 0) return;
    while (::tcsetattr(fd_, TCSADRAIN, &saved_) < 0 && errno == EINTR) {
    }
}

void copy_window_size(int from, int to) {
    winsize ws{};
    if (::ioctl(from, TIOCGWINSZ, &ws) == 0) (void)::ioctl(to, TIOCSWINSZ, &ws);
}

}  // namespace kiste::attach
