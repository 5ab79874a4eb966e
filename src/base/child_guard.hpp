// Owns a child process through its pidfd: on scope exit, unless released or
// already reaped, the child is killed with SIGKILL and reaped, so no path of
// the launcher leaves a stray process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste {

struct ExitStatus {
    bool signaled = false;
    int code = 0;  // exit code, or the signal number when signaled
    // The shell's convention: the code, or 128+N for signal N.
    [[nodiscard]] int shell_code() const { return signaled ? 128 + code : code; }
};

class ChildGuard {
public:
    ChildGuard() = default;
    ChildGuard(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
    ChildGuard(const ChildGuard&) = delete;
    ChildGuard& operator=(const ChildGuard&) = delete;
    ChildGuard(ChildGuard&& o) noexcept;
    ChildGuard& operator=(ChildGuard&& o) noexcept;
    ~ChildGuard();

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] int pidfd() const { return pidfd_.get(); }
    [[nodiscard]] bool active() const { return pid_ > 0; }

    Status signal(int sig) const;
    // Blocks until the child exits and reaps it.
    Result<ExitStatus> wait();
    // Reaps the child if it has exited; nullopt while it runs.
    Result<std::optional<ExitStatus>> try_wait();
    // Kills (SIGKILL) and reaps; a no-op when already reaped.
    void kill_and_reap();
    // The caller takes over the child; the guard forgets it.
    pid_t release();

private:
    pid_t pid_ = -1;
    UniqueFd pidfd_;
};

Result<UniqueFd> pidfd_open(pid_t pid);

}  // namespace kiste
