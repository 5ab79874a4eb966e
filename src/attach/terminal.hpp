// The user's side of an attached pty: raw mode on the user's terminal while
// kiste relays it to the container's pty, and the window size that follows.
#pragma once

#include <termios.h>

#include "kiste/error.hpp"

namespace kiste::attach {

// Puts a terminal in raw mode; the destructor restores what it was (every
// signal that would end kiste is taken through a signalfd, so the
// destructor runs on those paths too).
class RawMode {
public:
    static Result<RawMode> enter(int fd);
    RawMode(RawMode&& o) noexcept;
    RawMode& operator=(RawMode&&) = delete;
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;
    ~RawMode();

private:
    RawMode(int fd, const termios& saved) : fd_(fd), saved_(saved) {}
    int fd_ = -1;
    termios saved_{};
};

// Copies the window size of terminal `from` to pty master `to` (the kernel
// then sends SIGWINCH to the pty's foreground process group).
void copy_window_size(int from, int to);

}  // namespace kiste::attach
