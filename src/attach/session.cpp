#include "attach/session.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <string>

#include "attach/terminal.hpp"

namespace kiste::attach {

namespace {

// Writes everything to stdout; false once stdout is gone (then output is dropped).
bool write_stdout(const char* data, size_t len) {
    while (len > 0) {
        ssize_t n = ::write(STDOUT_FILENO, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        len -= static_cast<size_t>(n);
    }
    return true;
}

enum class Pumped { Data, Empty, Closed };

// One read from the (non-blocking) master to stdout.
Pumped pump_output(int master, bool& stdout_ok) {
    std::array<char, 65536> buf;
    ssize_t n = ::read(master, buf.data(), buf.size());
    if (n > 0) {
        if (stdout_ok) stdout_ok = write_stdout(buf.data(), static_cast<size_t>(n));
        return Pumped::Data;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return Pumped::Empty;
    return Pumped::Closed;  // EIO: no terminal side is open any more
}

void handle_signals(int sigfd, ChildGuard& attached, int master, const Logger& log) {
    signalfd_siginfo si{};
    while (::read(sigfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        const int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGWINCH && master >= 0) {
            copy_window_size(STDIN_FILENO, master);
            continue;
        }
        if (!should_forward(sig, si.ssi_code, master >= 0)) continue;
        log.debug("forwarding signal {} to the attached process", sig);
        (void)attached.signal(sig);
    }
}

}  // namespace

const sigset_t& session_signals() {
    static const sigset_t set = [] {
        sigset_t s;
        sigemptyset(&s);
        for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGPIPE})
            sigaddset(&s, sig);
        return s;
    }();
    return set;
}

bool should_forward(int signo, int code, bool pty) {
    // SIGPIPE is blocked so a closed stdout is an error, not kiste's death.
    if (signo == SIGWINCH || signo == SIGPIPE) return false;
    // Without a pty the command shares our process group: what the terminal
    // sends (si_code SI_KERNEL: ^C, ^\, a hangup) reaches it already.
    if (!pty && code == SI_KERNEL) return false;
    return true;
}

Result<ExitStatus> supervise(ChildGuard& attached, int sigfd, int master, const Logger& log) {
    const bool pty = master >= 0;
    bool stdin_open = pty, master_open = pty, stdout_ok = true;
    std::string to_master;
    if (pty) copy_window_size(STDIN_FILENO, master);
    for (;;) {
        std::array<pollfd, 4> fds{};
        nfds_t n = 0;
        fds[n++] = {sigfd, POLLIN, 0};
        fds[n++] = {attached.pidfd(), POLLIN, 0};
        int in_idx = -1, master_idx = -1;
        // Back-pressure: no more input while the pty has not taken the last.
        if (stdin_open && to_master.empty()) {
            in_idx = static_cast<int>(n);
            fds[n++] = {STDIN_FILENO, POLLIN, 0};
        }
        if (master_open) {
            master_idx = static_cast<int>(n);
            fds[n++] = {master, static_cast<short>(POLLIN | (to_master.empty() ? 0 : POLLOUT)), 0};
        }
        if (::poll(fds.data(), n, -1) < 0) {
            if (errno == EINTR) continue;
            return fail_errno("waiting for the attached process");
        }
        if (fds[0].revents & POLLIN) handle_signals(sigfd, attached, master, log);
        if (in_idx >= 0 && fds[in_idx].revents != 0) {
            std::array<char, 4096> buf;
            ssize_t r = ::read(STDIN_FILENO, buf.data(), buf.size());
            if (r > 0)
                to_master.append(buf.data(), static_cast<size_t>(r));
            else if (r == 0 || (errno != EINTR && errno != EAGAIN))
                stdin_open = false;
        }
        if (master_idx >= 0 && (fds[master_idx].revents & (POLLIN | POLLHUP | POLLERR)) &&
            pump_output(master, stdout_ok) == Pumped::Closed)
            master_open = false;
        if (master_open && !to_master.empty()) {
            ssize_t w = ::write(master, to_master.data(), to_master.size());
            if (w > 0) {
                to_master.erase(0, static_cast<size_t>(w));
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                to_master.clear();
                stdin_open = false;
            }
        }
        if (fds[1].revents & POLLIN) {
            // What the command wrote before it ended is still in the pty.
            while (master_open && pump_output(master, stdout_ok) == Pumped::Data) {
            }
            return attached.wait();
        }
    }
}

}  // namespace kiste::attach
