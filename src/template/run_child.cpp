#include "template/run_child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace kiste::tmpl {

namespace {

constexpr int kInterruptSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr int kTermGraceMs = 5000;

sigset_t interrupt_set() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kInterruptSignals) sigaddset(&set, s);
    return set;
}

std::vector<std::string> merged_env(const std::vector<std::string>& add) {
    std::vector<std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string_view v = *e;
        auto eq = v.find('=');
        bool replaced = false;
        for (const auto& a : add) {
            auto aeq = a.find('=');
            if (eq != std::string_view::npos &&
                v.substr(0, eq) == std::string_view(a).substr(0, aeq))
                replaced = true;
        }
        if (!replaced) env.emplace_back(v);
    }
    env.insert(env.end(), add.begin(), add.end());
    return env;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void child_main(const ChildSpec& spec, char* const* argv, char* const* envp) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    for (int s : kInterruptSignals) ::signal(s, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (spec.new_mount_ns) {
        // Without CAP_SYS_ADMIN the template cannot mount either: go on.
        if (::unshare(CLONE_NEWNS) == 0) ::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr);
    }
    if (spec.stdin_null) {
        int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) ::dup2(fd, 0);
    }
    ::umask(022);
    if (std::strchr(argv[0], '/') != nullptr)
        ::execve(argv[0], argv, envp);
    else
        ::execvpe(argv[0], argv, envp);
    const int err = errno;
    const char* msg = std::strerror(err);
    (void)!::write(2, "kiste: cannot run ", 18);
    (void)!::write(2, argv[0], std::strlen(argv[0]));
    (void)!::write(2, ": ", 2);
    (void)!::write(2, msg, std::strlen(msg));
    (void)!::write(2, "\n", 1);
    ::_exit(127);
}

}  // namespace

std::string signal_name(int sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    return abbrev != nullptr ? std::string("SIG") + abbrev : fmt::format("signal {}", sig);
}

InterruptGuard::~InterruptGuard() {
    if (!installed_) return;
    // Drop what arrived after the last poll(): the caller is done with it.
    sfd_.reset();
    sigset_t set = interrupt_set();
    timespec zero{};
    while (::sigtimedwait(&set, nullptr, &zero) > 0) {
    }
    ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

Status InterruptGuard::install() {
    sigset_t set = interrupt_set();
    if (::sigprocmask(SIG_BLOCK, &set, &old_) < 0) return fail_errno("blocking signals");
    installed_ = true;
    sfd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!sfd_) return fail_errno("signalfd");
    return {};
}

int InterruptGuard::poll() {
    signalfd_siginfo info{};
    while (sfd_ && ::read(sfd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info))
        if (received_ == 0) received_ = static_cast<int>(info.ssi_signo);
    return received_;
}

Status InterruptGuard::check() {
    if (poll() != 0)
        return fail(Error::msg(fmt::format("interrupted by {}", signal_name(received_))));
    return {};
}

Result<ExitStatus> run_child(const ChildSpec& spec, InterruptGuard* interrupts) {
    if (spec.argv.empty()) return fail("run_child: empty argv");
    if (interrupts != nullptr) KISTE_TRY(interrupts->check());
    std::vector<std::string> env = merged_env(spec.env_add);
    std::vector<char*> argv, envp;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) return fail_errno("fork for {}", spec.argv[0]);
    if (pid == 0) child_main(spec, argv.data(), envp.data());
    ::setpgid(pid, pid);  // also in the child: whichever runs first
    auto pidfd = pidfd_open(pid);
    if (!pidfd) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        return std::unexpected(pidfd.error());
    }
    ChildGuard child(pid, std::move(*pidfd));

    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> kill_at;
    for (;;) {
        pollfd fds[2] = {{child.pidfd(), POLLIN, 0},
                         {interrupts != nullptr ? interrupts->fd() : -1, POLLIN, 0}};
        int timeout = -1;
        if (kill_at) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(*kill_at - Clock::now());
            timeout = static_cast<int>(std::max<long>(0, left.count()));
        }
        int n = ::poll(fds, 2, timeout);
        if (n < 0 && errno != EINTR) return fail_errno("waiting for {}", spec.argv[0]);
        if (fds[0].revents != 0) break;
        if (interrupts != nullptr && fds[1].revents != 0) {
            const bool first = !kill_at;
            interrupts->poll();
            if (first) {
                ::kill(-pid, SIGTERM);
                kill_at = Clock::now() + std::chrono::milliseconds(kTermGraceMs);
            } else {
                ::kill(-pid, SIGKILL);  // a second signal: no more patience
            }
        }
        if (kill_at && Clock::now() >= *kill_at) {
            ::kill(-pid, SIGKILL);
            kill_at = Clock::now() + std::chrono::hours(1);
        }
    }
    // Exited but not reaped yet, so its pid still names the group: end what
    // it left behind in it, then reap.
    siginfo_t info{};
    ::waitid(P_PIDFD, static_cast<id_t>(child.pidfd()), &info, WEXITED | WNOWAIT);
    ::kill(-pid, SIGKILL);
    auto status = KISTE_TRY(child.wait());
    if (interrupts != nullptr) KISTE_TRY(interrupts->check());
    return status;
}

}  // namespace kiste::tmpl
