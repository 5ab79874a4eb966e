// kiste-init: the minimal PID 1 of `kiste execute` (lxc-init's job).
//
//   kiste-init [--adopt PID] [--] COMMAND [ARG...]
//
// Runs COMMAND as its only direct child (with --adopt, takes over PID, a
// child it already has: kiste execute starts the command itself before it
// executes kiste-init, see PayloadStart in src/runtime/child_finish.cpp),
// forwards signals to it, reaps every process that is re-parented to it,
// and when COMMAND ends, asks the rest to stop (SIGTERM, then SIGKILL after
// a second) and exits with COMMAND's code, or 128+N when signal N killed it
// (PID 1 cannot re-raise a fatal signal).
//
// It is linked statically and runs from a sealed image (see
// src/runtime/init_image.hpp) inside rootfs trees that may have no C++
// runtime, so it is plain C-style code on libc: no libkistelib, no
// iostreams, no exceptions, no allocation.
//
// Terminals. Three cases, decided before the fork:
//  - stdin is a tty that is our controlling terminal: the command stays in
//    our session and process group, as any foreground job does; an
//    interactive shell then sets up job control itself (setpgid + tcsetpgrp).
//    The terminal's own signals (^C, ^\, ^Z, SIGWINCH: si_code SI_KERNEL)
//    reach the command directly, so they are not forwarded a second time.
//  - stdin is a tty but not our controlling terminal (a fresh pty): the
//    command gets its own session with that tty as its controlling terminal
//    (setsid + TIOCSCTTY, as lxc-init does), so a shell gets job control.
//    TIOCSCTTY is asked with 0, never stealing a tty another session owns.
//  - anything else: the command stays where it is; signals are forwarded,
//    except terminal signals when some stdio fd is our controlling terminal.
// stdin, stdout and stderr are passed through untouched in every case.
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "base/signals.hpp"
#include "base/terminal.hpp"

using kiste::command_needs_own_session;
using kiste::is_our_ctty;
using kiste::reset_ignored_signals;

namespace {

constexpr int kInitFailure = 125;  // kiste-init's own errors (usage, fork), like env(1)
constexpr long kGraceNs = 1000L * 1000 * 1000;

void put(int fd, const char* s) {
    size_t len = std::strlen(s);
    while (len > 0) {
        ssize_t n = ::write(fd, s, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        s += n;
        len -= static_cast<size_t>(n);
    }
}

void complain(const char* what, const char* object, int err) {
    put(STDERR_FILENO, "kiste-init: ");
    put(STDERR_FILENO, what);
    if (object != nullptr) {
        put(STDERR_FILENO, " ");
        put(STDERR_FILENO, object);
    }
    put(STDERR_FILENO, ": ");
    put(STDERR_FILENO, std::strerror(err));
    put(STDERR_FILENO, "\n");
}

long now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L * 1000 * 1000 + ts.tv_nsec;
}

bool forwarded(int sig) {
    switch (sig) {
        case SIGTERM:
        case SIGINT:
        case SIGHUP:
        case SIGQUIT:
        case SIGUSR1:
        case SIGUSR2:
        case SIGWINCH:
        case SIGCONT:
        case SIGALRM:
        case SIGTSTP:
        case SIGPWR: return true;
        default: return sig >= SIGRTMIN && sig <= SIGRTMAX;
    }
}

// Is this fd our controlling terminal? TIOCGPGRP on a tty that is not the
// caller's controlling terminal fails with ENOTTY.
// --------------------------------------------------------------- the child
// Whether some PATH directory holds `name` at all. execvp reports EACCES when
// any PATH directory could not be searched, even if the command exists
// nowhere; a shell calls that "not found" (127), and so do we.
bool found_in_path(const char* name) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) path = "/bin:/usr/bin";  // glibc's default for execvp
    char buf[4096];
    const size_t name_len = std::strlen(name);
    while (true) {
        const char* end = std::strchr(path, ':');
        size_t dir_len = end != nullptr ? static_cast<size_t>(end - path) : std::strlen(path);
        if (dir_len == 0) {
            if (name_len + 1 < sizeof buf) {
                std::memcpy(buf, name, name_len + 1);
                if (::access(buf, F_OK) == 0) return true;
            }
        } else if (dir_len + 1 + name_len + 1 < sizeof buf) {
            std::memcpy(buf, path, dir_len);
            buf[dir_len] = '/';
            std::memcpy(buf + dir_len + 1, name, name_len + 1);
            if (::access(buf, F_OK) == 0) return true;
        }
        if (end == nullptr) return false;
        path = end + 1;
    }
}

[[noreturn]] void run_command(char** argv, const sigset_t& orig_mask, bool own_session) {
    if (own_session) {
        if (::setsid() >= 0) (void)::ioctl(STDIN_FILENO, TIOCSCTTY, 0);
    }
    ::sigprocmask(SIG_SETMASK, &orig_mask, nullptr);
    ::execvp(argv[0], argv);
    int err = errno;
    if (err == EACCES && std::strchr(argv[0], '/') == nullptr && !found_in_path(argv[0]))
        err = ENOENT;  // only an unreadable PATH directory said "denied": not found
    put(STDERR_FILENO, "kiste-init: cannot execute ");
    put(STDERR_FILENO, argv[0]);
    put(STDERR_FILENO, ": ");
    put(STDERR_FILENO, std::strerror(err));
    put(STDERR_FILENO, "\n");
    // The shell's convention: not found 127, found but not runnable 126.
    ::_exit(err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG || err == ELOOP ? 127 : 126);
}

// --------------------------------------------------------------- shutdown
// The processes left when the command has ended. As PID 1, kill(-1) reaches
// exactly the processes of our pid namespace. Otherwise (a shared pid
// namespace, where kill(-1) would hit the whole host) we signal only our own
// children, found in /proc; orphans of those are re-parented to us (we are a
// subreaper) and signalled on a later round.
class Remaining {
public:
    explicit Remaining(bool pid1) : pid1_(pid1) {}

    void signal_all(int sig) {
        if (pid1_) {
            (void)::kill(-1, sig);
            return;
        }
        signal_children(sig);
    }

private:
    bool already_termed(pid_t pid) const {
        for (int i = 0; i < count_; ++i)
            if (termed_[i] == pid) return true;
        return false;
    }

    // /proc must show our own pid namespace, or its numbers mean other processes.
    static bool proc_is_ours() {
        char buf[32];
        ssize_t n = ::readlink("/proc/self", buf, sizeof buf - 1);
        if (n <= 0) return false;
        buf[n] = '\0';
        return std::atol(buf) == static_cast<long>(::getpid());
    }

    static pid_t parent_of(const char* pid_dir) {
        char path[64] = "/proc/";
        std::strncat(path, pid_dir, 40);
        std::strcat(path, "/stat");
        int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return -1;
        char buf[512];
        ssize_t n = ::read(fd, buf, sizeof buf - 1);
        ::close(fd);
        if (n <= 0) return -1;
        buf[n] = '\0';
        // "pid (comm) state ppid ...": comm may hold spaces and ')', so
        // parse from the last ')'.
        const char* p = std::strrchr(buf, ')');
        if (p == nullptr || p[1] == '\0' || p[2] == '\0') return -1;
        p += 3;  // past ") " and the state letter
        while (*p == ' ') ++p;
        return static_cast<pid_t>(std::atol(p));
    }

    void signal_children(int sig) {
        if (!proc_is_ours()) return;
        DIR* d = ::opendir("/proc");
        if (d == nullptr) return;
        const pid_t self = ::getpid();
        while (dirent* e = ::readdir(d)) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
            if (parent_of(e->d_name) != self) continue;
            const pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
            if (sig == SIGTERM) {
                if (already_termed(pid)) continue;
                if (count_ < kMax) termed_[count_++] = pid;
            }
            (void)::kill(pid, sig);
        }
        ::closedir(d);
    }

    static constexpr int kMax = 256;
    bool pid1_;
    pid_t termed_[kMax] = {};
    int count_ = 0;
};

// Reaps whatever has exited; notes the command's status. Returns false when
// no child is left at all (ECHILD).
bool reap(pid_t command, bool& command_done, int& command_status) {
    for (;;) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid == 0) return true;
        if (pid < 0) {
            if (errno == EINTR) continue;
            return errno != ECHILD;
        }
        if (pid == command) {
            command_done = true;
            command_status = status;
        }
    }
}

int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return kInitFailure;
}

}  // namespace

int main(int argc, char** argv) {
    int first = 1;
    // --adopt PID: the command already runs as our child (kiste execute
    // starts it before it executes us, with our signal mask and session
    // already set up, see PayloadStart in src/runtime/child_finish.cpp); the
    // arguments after -- only name it.
    pid_t adopted = 0;
    if (first + 1 < argc && std::strcmp(argv[first], "--adopt") == 0) {
        adopted = static_cast<pid_t>(std::atol(argv[first + 1]));
        first += 2;
        if (adopted <= 0) {
            put(STDERR_FILENO, "kiste-init: --adopt needs a pid\n");
            return kInitFailure;
        }
    }
    if (first < argc && std::strcmp(argv[first], "--") == 0) ++first;
    if (first >= argc) {
        put(STDERR_FILENO, "usage: kiste-init [--adopt PID] [--] COMMAND [ARG...]\n");
        return kInitFailure;
    }
    const bool pid1 = ::getpid() == 1;

    // Every signal is taken with sigwaitinfo(); none may act on its own.
    sigset_t all, orig_mask;
    ::sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, &orig_mask);
    // Dispositions inherited as SIG_IGN survive exec; reset them so the
    // command starts clean (as lxc-init does) and SIGCHLD is not auto-reaped.
    // (An adopted command's starter did this before it forked.)
    if (adopted == 0) reset_ignored_signals();
    // Orphans of a shared pid namespace come to us, not to the host's init.
    if (!pid1) (void)::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    // Nothing inside may ptrace us or read our memory (runc's init does the same).
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // Executed from a memfd (the fallback image), the kernel names us
    // "memfd:kiste-init"; say who we are.
    (void)::prctl(PR_SET_NAME, "kiste-init", 0, 0, 0);

    const bool own_session = command_needs_own_session();
    // When the command shares our controlling terminal, the terminal's
    // signals reach it without us.
    const bool skip_terminal_signals =
        !own_session &&
        (is_our_ctty(STDIN_FILENO) || is_our_ctty(STDOUT_FILENO) || is_our_ctty(STDERR_FILENO));

    const pid_t command = adopted != 0 ? adopted : ::fork();
    if (command < 0) {
        complain("cannot fork for", argv[first], errno);
        return kInitFailure;
    }
    if (command == 0) run_command(argv + first, orig_mask, own_session);

    bool command_done = false;
    int command_status = 0;
    Remaining remaining(pid1);
    long deadline = 0;  // set when the command has ended
    bool killed = false;
    // An adopted command may have ended before we blocked SIGCHLD (its
    // SIGCHLD then went to our previous program): look once without waiting.
    bool look_first = adopted != 0;

    for (;;) {
        siginfo_t si{};
        int sig;
        if (look_first) {
            look_first = false;
            sig = SIGCHLD;
        } else if (!command_done) {
            sig = ::sigwaitinfo(&all, &si);
        } else {
            long left = deadline - now_ns();
            if (left <= 0) {
                if (!killed) {
                    remaining.signal_all(SIGKILL);
                    killed = true;
                    // PID 1's exit makes the kernel kill and reap the rest.
                    if (pid1) break;
                    deadline = now_ns() + kGraceNs;
                    continue;
                }
                break;  // a subreaper leaves the rest to the next one up
            }
            timespec ts{left / 1000000000L, left % 1000000000L};
            sig = ::sigtimedwait(&all, &si, &ts);
        }
        if (sig < 0) continue;  // EINTR, or the grace period is over (EAGAIN)
        if (sig == SIGCHLD) {
            const bool was_done = command_done;
            const bool any_left = reap(command, command_done, command_status);
            if (command_done && !was_done) {
                if (!any_left) break;
                deadline = now_ns() + kGraceNs;
                remaining.signal_all(SIGTERM);
                // Whatever the SIGTERM ends comes back as SIGCHLD; check now
                // as well, in case everything was gone already.
                if (!reap(command, command_done, command_status)) break;
            } else if (command_done) {
                if (!any_left) break;
                // A child that died may have left children of its own to us.
                if (!pid1) remaining.signal_all(killed ? SIGKILL : SIGTERM);
            }
            continue;
        }
        if (command_done || !forwarded(sig)) continue;
        if (skip_terminal_signals && si.si_code == SI_KERNEL) continue;
        // SIGPWR is how LXC asks a container to halt; the command gets SIGTERM.
        (void)::kill(command, sig == SIGPWR ? SIGTERM : sig);
    }
    return exit_code(command_status);
}
