// start, stop, wait and the cleanup of a dead run.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <thread>

#include "base/child_guard.hpp"
#include "base/fail_point.hpp"
#include "base/pipe.hpp"
#include "base/scope_exit.hpp"
#include "cgroup/cgroup.hpp"
#include "cgroup/pty_access.hpp"
#include "config/lxc/validate.hpp"
#include "lifecycle/container.hpp"
#include "manager/halt_signal.hpp"
#include "manager/manager.hpp"
#include "manager/monitor.hpp"
#include "manager/protocol.hpp"
#include "runtime/launcher.hpp"
#include "state/run_lock.hpp"
#include "storage/storage.hpp"

namespace kiste::manager {

Result<lxc::LxcConfig> load_config(const state::ContainerPaths& paths,
                                   const std::string& config_file,
                                   const std::vector<std::string>& overrides) {
    const std::string file = config_file.empty() ? paths.config() : config_file;
    struct stat st {};
    if (config_file.empty() && ::stat(file.c_str(), &st) < 0)
        return fail(Error(ENOENT, fmt::format("container {} does not exist in {} (no {})",
                                              paths.name, paths.lxcpath, file)));
    lxc::LxcConfig cfg = KISTE_TRY(lxc::load_file(file));
    for (const auto& o : overrides) KISTE_TRY_CTX(lxc::apply_override(cfg, o), "-s {}", o);
    return cfg;
}

namespace {

// A system container needs a root of its own. Without one its init is the
// host's own /sbin/init on the host's files with every capability: it boots
// the host a second time (systemd's boot cleans the host's /tmp). So start
// refuses before anything is made; kiste execute (lxc-execute) is the verb
// that runs an application on the host's files.
Status require_own_root(const ContainerSpec& spec, const lxc::LxcConfig& cfg,
                        const std::string& name, const std::string& file) {
    constexpr const char* kWhy =
        "a system container without a root of its own would boot the host's init on the "
        "host's files";
    if (spec.rootfs.path.empty()) {
        if (auto dir = storage::root_directory(spec.rootfs.source);
            !dir && spec.rootfs.source.kind != RootfsSource::Kind::None)
            return fail("refusing to start {}: lxc.rootfs.path = {} ({}): {}", name,
                        cfg.rootfs_path, file, dir.error().root());
        return fail(
            "refusing to start {}: its config {} sets no lxc.rootfs.path, and {} (give it one: "
            "lxc.rootfs.path = DIR, or make a new container with kiste create NAME -t busybox; "
            "kiste execute runs an application on the host's files)",
            name, file, kWhy);
    }
    struct stat root {};
    struct stat host {};
    if (::stat(spec.rootfs.path.c_str(), &root) == 0 && ::stat("/", &host) == 0 &&
        root.st_dev == host.st_dev && root.st_ino == host.st_ino)
        return fail("refusing to start {}: lxc.rootfs.path = {} ({}) is the host's own root: {}",
                    name, cfg.rootfs_path, file, kWhy);
    // `kiste create -t none` makes an empty root: say so, rather than that
    // /sbin/init could not be executed.
    if (DIR* d = ::opendir(spec.rootfs.path.c_str())) {
        ScopeExit close_dir([d] { ::closedir(d); });
        bool empty = true;
        while (const dirent* e = ::readdir(d)) {
            const std::string_view n = e->d_name;
            if (n != "." && n != "..") {
                empty = false;
                break;
            }
        }
        if (empty)
            return fail(
                "cannot start {}: its rootfs {} is empty (kiste create -t none makes an empty "
                "one: put a system into it, or create the container with a template, e.g. "
                "-t busybox)",
                name, spec.rootfs.path);
    }
    return {};
}

Result<ContainerSpec> start_spec(const state::ContainerPaths& paths, const StartOptions& opt,
                                 Logger& log) {
    lxc::LxcConfig cfg = KISTE_TRY(load_config(paths, opt.config_file, opt.overrides));
    ContainerSpec spec = KISTE_TRY(lxc::to_spec(cfg, lxc::Purpose::Start));
    spec.name = paths.name;
    KISTE_TRY(require_own_root(spec, cfg, paths.name,
                               opt.config_file.empty() ? paths.config() : opt.config_file));
    // As lxc-start: a command after "--" runs instead of lxc.init.cmd (a
    // rescue shell: kiste start -F NAME -- /bin/sh).
    if (!opt.init_args.empty()) {
        spec.process.args = opt.init_args;
    } else {
        const std::string init = cfg.init_cmd.empty() ? "/sbin/init" : cfg.init_cmd;
        spec.process.args = KISTE_TRY(lxc::split_command(init));
    }
    spec.process.use_init = false;
    if (!spec.unapplied.empty()) {
        for (const auto& u : spec.unapplied)
            log.log(opt.allow_unapplied ? LogLevel::Warn : LogLevel::Error, "{}: {} = {}: {}",
                    u.origin, u.key, u.value, u.reason);
        if (!opt.allow_unapplied)
            return fail(
                "refusing to start {} without the keys above (--allow-unapplied starts it anyway)",
                paths.name);
    }
    KISTE_TRY(lxc::validate_spec(cfg, spec));
    if (auto w = cgroup::pty_access_warning(spec.name, spec.dev.tty_max, spec.console.path.empty(),
                                            spec.cgroup))
        log.warn("{}", *w);
    return spec;
}

// The detached monitor: a grandchild in its own session, stdio on /dev/null,
// logging to the container's log file.
[[noreturn]] void become_monitor(MonitorSetup& setup, UniqueFd report) {
    ::setsid();
    if (pid_t p = ::fork(); p != 0) ::_exit(p < 0 ? 1 : 0);
    (void)!::chdir("/");
    {
        UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
        for (int fd = 0; fd <= 2; ++fd) ::dup2(null.get(), fd);
        if (null.get() <= 2) (void)null.release();  // it is one of stdio now
    }
    Logger log(LogLevel::Fatal);
    log.set_prefix(fmt::format("kiste-monitor {}", setup.paths.name));
    log.set_file_level(LogLevel::Info);
    (void)log.open_file(setup.paths.log());
    setup.report = std::move(report);
    ::_exit(run_monitor(setup, log));
}

// Forks what becomes the monitor, in its cgroup v2 directory from the start
// when the host has one (see prepare_monitor_cgroup); its own fork inherits
// that. Any failure here leaves the join to enter_monitor_cgroup, which
// reports it. Returns the pid, 0 in the child, -1 with errno.
pid_t fork_monitor(const MonitorSetup& setup, UniqueFd& pidfd) {
    if (!setup.foreground) {
        if (auto dir = cgroup::prepare_monitor_cgroup(setup.paths.name, setup.spec.cgroup);
            dir && *dir >= 0) {
            UniqueFd cg(*dir);
            if (fail_point("fork-monitor")) {
                errno = EAGAIN;
                return -1;
            }
            if (auto pid = runtime::fork_into_cgroup(cg.get(), pidfd)) return *pid;
        }
    }
    return ::fork();
}

// What a start that failed may have left: a monitor that failed cleans up
// after itself, one that died leaves its run's records (cleanup_stale) and
// its cgroup, and fork_monitor's kiste.monitor/NAME stays when no monitor
// ran or it failed before it entered that cgroup. Once another monitor holds
// the name, all of that is its own. A cgroup with a process in it is never
// removed (remove_monitor_cgroup only removes empty ones).
void undo_failed_start(const MonitorSetup& setup, Logger& log) {
    const auto& paths = setup.paths;
    if (state::NameLock::held(paths.run_root(), paths.name)) return;
    // The monitor closed its end of the pipe as it exited: its record is
    // dead once the kernel has it as exited.
    if (auto rec = state::read_state(paths); rec && *rec)
        if (auto owner = open_process((*rec)->owner()); owner) {
            pollfd p{owner->get(), POLLIN, 0};
            (void)::poll(&p, 1, 2000);
        }
    if (auto st = cleanup_stale(paths, log); !st)
        log.warn("cleaning up after the failed start of {}: {}", paths.name, st.error().message());
    // The monitor's end of the pipe closes before the kernel takes the
    // monitor out of its cgroup: that cgroup may be busy for a moment.
    for (int i = 0; i < 100; ++i) {
        auto st = cgroup::remove_monitor_cgroup(paths.name, setup.spec.cgroup);
        if (st || st.error().code() != EBUSY) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

Status start(const state::ContainerPaths& paths, const StartOptions& opt, Logger& log) {
    auto seen = state::observe(paths);
    if (seen.state != state::State::Stopped)
        return fail(Error(EALREADY, fmt::format("container {} is already {}", paths.name,
                                                state::state_name(seen.state))));
    if (seen.stale) KISTE_TRY(cleanup_stale(paths, log));
    MonitorSetup setup{paths,
                       KISTE_TRY(start_spec(paths, opt, log)),
                       opt.config_file.empty() ? paths.config() : opt.config_file,
                       {},
                       opt.foreground,
                       {}};
    if (opt.foreground) {
        if (run_monitor(setup, log) != 0) return fail("container {} failed to start", paths.name);
        return {};
    }
    Pipe report = KISTE_TRY_CTX(Pipe::make(), "a pipe for the monitor of {}", paths.name);
    UniqueFd pidfd;
    const pid_t pid = fork_monitor(setup, pidfd);
    if (pid < 0) {
        auto err = Error::from_errno(fmt::format("forking the monitor of {}", paths.name));
        report = {};
        undo_failed_start(setup, log);
        return fail(std::move(err));
    }
    if (pid == 0) {
        report.read.reset();
        become_monitor(setup, std::move(report.write));
    }
    report.write.reset();
    // The child forks the monitor and exits at once.
    ChildGuard child(pid, std::move(pidfd));
    (void)child.wait();
    std::string answer = read_to_end(report.read.get());
    report.read.reset();
    // Warnings first (see MonitorSetup::warnings), then OK or ERR.
    while (answer.starts_with("WARN ")) {
        const size_t end = answer.find('\n');
        if (end == std::string::npos) break;
        log.warn("{}", answer.substr(5, end - 5));
        answer.erase(0, end + 1);
    }
    if (answer == "OK") return {};
    // The monitor has exited: the pipe's end closed with it.
    undo_failed_start(setup, log);
    if (answer.starts_with("ERR ")) return fail("{}", answer.substr(4));
    return fail("the monitor of {} exited without starting it (see {})", paths.name, paths.log());
}

Status cleanup_stale(const state::ContainerPaths& paths, Logger& log) {
    return lifecycle::cleanup(paths, log);
}

namespace {

// A container without a monitor to ask: one that `kiste execute` runs (its
// kiste-init halts on SIGPWR, as lxc-init does), or one without an owner.
Result<StopOutcome> stop_without_monitor(const state::ContainerPaths& paths,
                                         const state::RuntimeState& r, const StopOptions& opt,
                                         Logger& log) {
    if (opt.reboot)
        return fail("container {} runs under kiste {}, which cannot reboot it", paths.name,
                    r.face == state::Face::Execute ? "execute" : "create");
    int sig = SIGPWR;
    if (r.face != state::Face::Execute) sig = choose_halt_signal(0, read_signal_masks(r.init_pid));
    const bool killed = KISTE_TRY(lifecycle::stop(paths, sig, opt.timeout_seconds, opt.kill, log));
    return killed ? StopOutcome::Killed : StopOutcome::Stopped;
}

}  // namespace

Result<StopOutcome> stop_container(const state::ContainerPaths& paths, const StopOptions& opt,
                                   Logger& log) {
    // A live container's monitor answers: asking it first spares the look
    // at the state file, the mounts and every cgroup hierarchy that
    // state::observe takes.
    const std::string req = opt.reboot
                                ? std::string("reboot")
                                : fmt::format("stop {} {}", opt.timeout_seconds, opt.kill ? 1 : 0);
    auto reply = proto::request(paths.monitor_socket(), req);
    if (reply) {
        if (opt.reboot) return StopOutcome::Rebooting;
        // The monitor frees the name before it answers; one that does not
        // (an older kiste's) frees it when it exits, just after.
        for (int i = 0; i < 200 && state::NameLock::held(paths.run_root(), paths.name); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return *reply == "killed" ? StopOutcome::Killed : StopOutcome::Stopped;
    }
    // No answer: it does not run, its monitor died (what that run left is
    // cleaned up), or it died while we asked.
    auto seen = state::observe(paths);
    if (seen.state != state::State::Stopped) {
        if (seen.recorded && seen.recorded->face != state::Face::Monitor)
            return stop_without_monitor(paths, *seen.recorded, opt, log);
        return fail(std::move(reply.error()));
    }
    if (!seen.stale) return StopOutcome::NotRunning;
    log.info("container {} was not running; cleaning up what its last run left", paths.name);
    KISTE_TRY(cleanup_stale(paths, log));
    return StopOutcome::Cleaned;
}

Status stop(const state::ContainerPaths& paths, const StopOptions& opt, Logger& log) {
    KISTE_TRY(stop_container(paths, opt, log));
    return {};
}

Status wait_for_state(const state::ContainerPaths& paths, const std::vector<state::State>& want,
                      int timeout_seconds) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    for (;;) {
        auto now = state::observe(paths).state;
        if (std::find(want.begin(), want.end(), now) != want.end()) return {};
        if (timeout_seconds >= 0 && std::chrono::steady_clock::now() >= deadline) {
            // A name that is neither defined nor running is most likely a
            // typo: say that, not just that it is STOPPED.
            struct stat st {};
            if (now == state::State::Stopped && ::stat(paths.config().c_str(), &st) < 0)
                return fail("container {} does not exist in {} and did not start within {} s",
                            paths.name, paths.lxcpath, timeout_seconds);
            return fail("container {} is {}, not {} after {} s", paths.name, state::state_name(now),
                        state::state_name(want.front()), timeout_seconds);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace kiste::manager
