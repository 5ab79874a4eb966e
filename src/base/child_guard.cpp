#include "base/child_guard.hpp"

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <utility>

namespace kiste {

namespace {
ExitStatus decode(const siginfo_t& info) {
    ExitStatus st;
    if (info.si_code == CLD_EXITED) {
        st.code = info.si_status;
    } else {
        st.signaled = true;
        st.code = info.si_status;
    }
    return st;
}
}  // namespace

Result<UniqueFd> pidfd_open(pid_t pid) {
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) return fail_errno("pidfd_open({})", pid);
    return UniqueFd(fd);
}

ChildGuard::ChildGuard(ChildGuard&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), pidfd_(std::move(o.pidfd_)) {}

ChildGuard& ChildGuard::operator=(ChildGuard&& o) noexcept {
    if (this != &o) {
        kill_and_reap();
        pid_ = std::exchange(o.pid_, -1);
        pidfd_ = std::move(o.pidfd_);
    }
    return *this;
}

ChildGuard::~ChildGuard() {
    kill_and_reap();
}

Status ChildGuard::signal(int sig) const {
    if (pid_ <= 0) return fail("signal {}: no child", sig);
    if (pidfd_.valid()) {
        if (::syscall(SYS_pidfd_send_signal, pidfd_.get(), sig, nullptr, 0) < 0)
            return fail_errno("sending signal {} to pid {}", sig, pid_);
        return {};
    }
    if (::kill(pid_, sig) < 0) return fail_errno("sending signal {} to pid {}", sig, pid_);
    return {};
}

Result<ExitStatus> ChildGuard::wait() {
    if (pid_ <= 0) return fail("wait: no child");
    siginfo_t info{};
    for (;;) {
        int rc = pidfd_.valid() ? ::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED)
                                : ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED);
        if (rc == 0) break;
        if (errno == EINTR) continue;
        return fail_errno("waiting for pid {}", pid_);
    }
    pid_ = -1;
    pidfd_.reset();
    return decode(info);
}

Result<std::optional<ExitStatus>> ChildGuard::try_wait() {
    if (pid_ <= 0) return fail("wait: no child");
    siginfo_t info{};
    int rc = pidfd_.valid()
                 ? ::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG)
                 : ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG);
    if (rc < 0) return fail_errno("waiting for pid {}", pid_);
    if (info.si_pid == 0) return std::optional<ExitStatus>{};
    pid_ = -1;
    pidfd_.reset();
    return std::optional<ExitStatus>{decode(info)};
}

void ChildGuard::kill_and_reap() {
    if (pid_ <= 0) return;
    (void)signal(SIGKILL);
    (void)wait();
    pid_ = -1;
}

pid_t ChildGuard::release() {
    pidfd_.reset();
    return std::exchange(pid_, -1);
}

}  // namespace kiste
