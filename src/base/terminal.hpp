// How kiste-init's command meets the terminal; shared by kiste-init and by
// the launcher, which starts the command itself for kiste execute (see
// the exec step in runtime/child_finish.cpp). Header-only: kiste-init links no
// library.
#pragma once

#include <termios.h>
#include <unistd.h>

namespace kiste {

// `fd` is a terminal that is the controlling terminal of our session.
inline bool is_our_ctty(int fd) {
    return ::isatty(fd) && ::tcgetpgrp(fd) >= 0;
}

// stdin is a tty but not our controlling terminal (a fresh pty): the command
// gets its own session with that tty as its controlling terminal (setsid +
// TIOCSCTTY 0, as lxc-init does), so that a shell gets job control.
inline bool command_needs_own_session() {
    return ::isatty(STDIN_FILENO) && !is_our_ctty(STDIN_FILENO);
}

}  // namespace kiste
