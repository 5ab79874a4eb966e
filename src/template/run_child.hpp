// Running a template (or debootstrap, cp) as a child of `kiste create`, so
// that an interrupted create still cleans up:
//   - InterruptGuard blocks SIGINT, SIGTERM, SIGHUP and SIGQUIT for as long
//     as it lives and receives them on a signalfd: kiste is never killed
//     half-way, it notices the signal and rolls back.
//   - run_child starts the child in its own process group and mount
//     namespace (a slave of the host's, as LXC runs templates: mounts the
//     template makes, e.g. debootstrap's /proc in the target, die with it).
//     On a signal the whole group gets SIGTERM, then SIGKILL after 5 s; when
//     the child exits, whatever it left running in its group is killed.
#pragma once

#include <signal.h>

#include <optional>
#include <string>
#include <vector>

#include "base/child_guard.hpp"
#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::tmpl {

class InterruptGuard {
public:
    InterruptGuard() = default;
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
    // Restores the signal mask; signals received meanwhile are dropped (the
    // caller has acted on them through received()).
    ~InterruptGuard();

    Status install();
    [[nodiscard]] int fd() const { return sfd_.get(); }
    // Reads pending signals without waiting; the first one received, 0 if none.
    int poll();
    [[nodiscard]] int received() const { return received_; }
    // An error naming the signal when one was received.
    [[nodiscard]] Status check();

private:
    UniqueFd sfd_;
    sigset_t old_{};
    bool installed_ = false;
    int received_ = 0;
};

struct ChildSpec {
    std::vector<std::string> argv;     // argv[0] is the path (no PATH search unless it has no '/')
    std::vector<std::string> env_add;  // "K=V", replacing the variable if set
    bool new_mount_ns = true;
    bool stdin_null = true;  // a background process group must not read the terminal
};

// Runs the child to completion; its output goes to kiste's stdout/stderr.
// With `interrupts`, a received signal ends it (see above) and the result is
// an error "interrupted by SIGNAME".
Result<ExitStatus> run_child(const ChildSpec& spec, InterruptGuard* interrupts);

// "SIGINT" for SIGINT.
std::string signal_name(int sig);

}  // namespace kiste::tmpl
