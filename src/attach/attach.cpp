// kiste attach, the parent's side: find and verify the container's init,
// decide everything, fork the helpers (enter.cpp), then supervise.
#include "attach/attach.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <vector>

#include "attach/enter.hpp"
#include "attach/environment.hpp"
#include "attach/procfs.hpp"
#include "attach/session.hpp"
#include "attach/target.hpp"
#include "attach/terminal.hpp"
#include "attach/wire.hpp"
#include "runtime/launcher.hpp"

extern char** environ;

namespace kiste::attach {

namespace {

// Blocks a set of signals for the object's lifetime.
class BlockedSignals {
public:
    explicit BlockedSignals(const sigset_t& set) { ::sigprocmask(SIG_BLOCK, &set, &old_); }
    ~BlockedSignals() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;
    [[nodiscard]] const sigset_t& old() const { return old_; }

private:
    sigset_t old_{};
};

Result<EnterPlan> make_plan(const Target& t, const AttachOptions& opt, bool pty) {
    EnterPlan p;
    p.namespaces = KISTE_TRY(open_namespaces(t));
    if (!opt.elevated) {
        p.cgroups = KISTE_TRY(cgroup_joins(t));
        const std::string status = KISTE_TRY(read_proc(t.pid, "status"));
        KISTE_TRY(check_alive(t));
        const CapabilitySets init = KISTE_TRY_CTX(
            caps_from_status(status), "reading the capabilities of container {}'s init", t.name);
        p.caps = caps_for_attached(init, opt.uid.value_or(0));
    }
    p.uid = opt.uid.value_or(0);
    p.uid_given = opt.uid.has_value();
    p.gid = opt.gid;
    p.clear_env = opt.clear_env;
    p.env_set = opt.env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) p.caller_env.emplace_back(*e);
    p.cwd = opt.cwd;
    p.command = opt.command;
    p.pty = pty;
    return p;
}

bool on_cgroup2(const std::string& dir) {
    struct statfs st {};
    return ::statfs(dir.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

// Forks the intermediate; into the container's cgroup v2 directory when it
// has one (CLONE_INTO_CGROUP), which spares it the cgroup.procs write that
// waits for an RCU grace period (~10 ms, see write_pid in enter.cpp). That
// join is marked in the plan the child gets. Returns the pid (0 in the child).
Result<pid_t> spawn_intermediate(EnterPlan& plan, UniqueFd& pidfd) {
    for (auto& j : plan.cgroups) {
        if (!on_cgroup2(j.dir)) continue;
        // v2 refuses a process where controllers are enabled below (EBUSY):
        // then the init's own leaf, as write_pid does.
        for (const std::string* dir : {&j.dir, &j.init_dir}) {
            if (dir->empty()) continue;
            UniqueFd cg(::open(dir->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (!cg) break;
            j.joined = true;
            auto pid = runtime::fork_into_cgroup(cg.get(), pidfd);
            if (pid) return *pid;
            j.joined = false;
            const int err = pid.error().code();
            if (err != EBUSY && err != EOPNOTSUPP) break;
        }
        break;  // one v2 hierarchy; the intermediate joins it by writing
    }
    pid_t pid = ::fork();
    if (pid < 0) return fail_errno("fork of the attach helper");
    if (pid == 0) return 0;
    auto fd = pidfd_open(pid);
    if (!fd) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        return fail(fd.error());
    }
    pidfd = std::move(*fd);
    return pid;
}

// What the helpers reported until the channel closed.
struct Started {
    ChildGuard attached;
    UniqueFd master;
    std::optional<Error> error;
    int exit_code = 0;  // of an exec failure (127/126), 0 for other errors
};

// Reads the channel to its end. Signals that come before the attached
// process exists wait for it: it is about to be cloned, and aborting now
// could leave it behind. It holds them blocked until just before exec.
Result<Started> collect(Wire& wire, int sigfd, bool pty, const Logger& log) {
    Started s;
    std::vector<signalfd_siginfo> early;
    auto forward = [&](const signalfd_siginfo& si) {
        const int sig = static_cast<int>(si.ssi_signo);
        if (!should_forward(sig, si.ssi_code, pty)) return;
        log.debug("forwarding signal {} to the attached process", sig);
        (void)s.attached.signal(sig);
    };
    for (;;) {
        std::array<pollfd, 2> fds = {pollfd{wire.fd(), POLLIN, 0}, pollfd{sigfd, POLLIN, 0}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return fail_errno("waiting for the attach helper");
        }
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo si{};
            while (::read(sigfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
                if (s.attached.active())
                    forward(si);
                else
                    early.push_back(si);
            }
        }
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Wire::Message m = KISTE_TRY(wire.receive());
        switch (m.kind) {
            case Wire::Message::Kind::Eof: return s;
            case Wire::Message::Kind::Started:
                s.attached = ChildGuard(m.pid, std::move(m.pidfd));
                s.master = std::move(m.master);
                for (const auto& si : early) forward(si);
                early.clear();
                break;
            case Wire::Message::Kind::Error:
                if (!s.error) {
                    s.error = std::move(m.error);
                    s.exit_code = m.exit_code;
                }
                break;
        }
    }
}

}  // namespace

Result<ExitStatus> attach(const state::ContainerPaths& paths, const AttachOptions& opt,
                          Logger& log) {
    KISTE_TRY(validate_env_entries(opt.env));
    Target target = KISTE_TRY(open_target(paths));
    const bool pty = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1;

    BlockedSignals blocked(session_signals());
    EnterPlan plan =
        KISTE_TRY_CTX(make_plan(target, opt, pty), "attaching to container {}", paths.name);
    plan.restore_mask = blocked.old();
    UniqueFd sigfd(::signalfd(-1, &session_signals(), SFD_CLOEXEC | SFD_NONBLOCK));
    if (!sigfd) return fail_errno("signalfd");
    auto [parent_end, child_end] = KISTE_TRY(Wire::make_pair());

    UniqueFd helper_fd;
    pid_t pid = KISTE_TRY(spawn_intermediate(plan, helper_fd));
    if (pid == 0) {
        parent_end.close();
        run_intermediate(plan, child_end);
    }
    // Our child: its pid cannot be reused before we reap it.
    ChildGuard helper(pid, std::move(helper_fd));
    child_end.close();
    plan.namespaces.clear();

    Started s = KISTE_TRY_CTX(collect(parent_end, sigfd.get(), pty, log),
                              "attaching to container {}", paths.name);
    auto helper_exit = helper.wait();
    if (s.error) {
        Error e = std::move(*s.error);
        e.context(fmt::format("attaching to container {}", paths.name));
        if (s.exit_code == 0) return fail(std::move(e));
        // The command could not be executed: a shell's status, with the reason.
        log.error("{}", e.message());
        if (s.attached.active()) (void)s.attached.wait();
        return ExitStatus{false, s.exit_code};
    }
    if (!s.attached.active()) {
        if (helper_exit && (helper_exit->signaled || helper_exit->code != 0))
            return fail("attaching to container {}: the helper died with status {}", paths.name,
                        helper_exit->shell_code());
        return fail("attaching to container {}: the helper ended without starting the command",
                    paths.name);
    }
    log.debug("attached to container {}: pid {}{}", paths.name, s.attached.pid(),
              s.master ? " with a pty" : "");

    std::optional<RawMode> raw;
    if (s.master) {
        auto r = RawMode::enter(STDIN_FILENO);
        if (!r)
            log.warn("{}", r.error().message());
        else
            raw.emplace(std::move(*r));
    }
    return supervise(s.attached, sigfd.get(), s.master ? s.master.get() : -1, log);
}

}  // namespace kiste::attach
