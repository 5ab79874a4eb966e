#include "manager/monitor.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>

#include "base/fail_point.hpp"
#include "cgroup/cgroup.hpp"
#include "cgroup/defaults.hpp"
#include "hooks/hooks.hpp"
#include "lifecycle/container.hpp"
#include "manager/console_server.hpp"
#include "manager/halt_signal.hpp"
#include "manager/protocol.hpp"
#include "manager/ptys.hpp"
#include "net/network.hpp"
#include "runtime/launcher.hpp"
#include "state/run_lock.hpp"

namespace kiste::manager {

namespace {

using Clock = std::chrono::steady_clock;

class Monitor {
public:
    Monitor(MonitorSetup& s, Logger& log)
        : s_(s),
          log_(log),
          console_(s.paths.name, ptys_, listen_,
                   [this](ConsoleClient& c, const std::string& req) { on_request(c, req); }) {}

    // Everything up to RUNNING; then the starter is told.
    Status boot();
    // Serves until the container is down; returns the exit code.
    int serve();
    // Kills what is left and removes what the run made.
    void teardown();

private:
    Status make_payload_cgroups();
    Status launch_init();
    void on_init_exit();
    void on_request(ConsoleClient& c, const std::string& req);
    void on_terminal_input();
    void begin_stop(int timeout_seconds, bool kill_now);
    void send_signal(int sig);
    int halt_signal();
    Status write_state(state::State st);

    MonitorSetup& s_;
    Logger& log_;
    state::NameLock lock_;
    UniqueFd listen_;
    UniqueFd signals_;
    std::vector<Pty> ptys_;  // [0] is the console
    ConsoleServer console_;  // the clients of listen_, on ptys_
    std::unique_ptr<cgroup::MonitorCgroup> monitor_cgroup_;
    std::unique_ptr<cgroup::Manager> cgroup_;
    std::unique_ptr<net::ContainerNetwork> net_;
    std::optional<runtime::Launched> init_;
    hooks::ContainerRefs ran_;  // for the stop and post-stop hooks, once init is gone
    lifecycle::OwnedRun run_;
    state::RuntimeState& rs_ = run_.record();
    bool stopping_ = false;
    bool killed_after_timeout_ = false;  // told to the stop clients
    bool done_ = false;
    std::optional<Clock::time_point> kill_at_;
    termios saved_termios_{};
    bool terminal_raw_ = false;
};

Status Monitor::write_state(state::State st) {
    return run_.save(st);
}

Status Monitor::boot() {
    const auto& paths = s_.paths;
    KISTE_TRY(check_fail_point("name-lock"));
    lock_ = KISTE_TRY(state::NameLock::acquire(paths.run_root(), paths.name));
    KISTE_TRY(check_fail_point("run-dir"));
    KISTE_TRY(run_.begin(paths, state::Face::Monitor, s_.config_file));
    rs_.log_file = paths.log();
    KISTE_TRY(check_fail_point("monitor-socket"));
    listen_ = KISTE_TRY(proto::listen_at(paths.monitor_socket()));

    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    signals_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    ::signal(SIGPIPE, SIG_IGN);

    ptys_.push_back(KISTE_TRY(open_pty("console")));
    rs_.ttys.push_back("console");
    if (!s_.spec.console.logfile.empty()) {
        ptys_[0].logfile.reset(::open(s_.spec.console.logfile.c_str(),
                                      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
        if (!ptys_[0].logfile)
            return fail_errno("lxc.console.logfile: opening {}", s_.spec.console.logfile);
    }
    for (uint32_t i = 1; i <= s_.spec.dev.tty_max; ++i) {
        ptys_.push_back(KISTE_TRY(open_pty(fmt::format("tty{}", i))));
        rs_.ttys.push_back(fmt::format("tty{}", i));
    }

    // The monitor lives in kiste.monitor/NAME, the container in kiste.payload/NAME.
    KISTE_TRY(check_fail_point("monitor-cgroup"));
    monitor_cgroup_ = KISTE_TRY_CTX(cgroup::enter_monitor_cgroup(paths.name, s_.spec.cgroup),
                                    "the monitor cgroup of {}", paths.name);
    rs_.monitor_cgroup_paths = monitor_cgroup_->paths();
    KISTE_TRY(check_fail_point("payload-cgroup"));
    cgroup_ = KISTE_TRY_CTX(cgroup::make_manager(paths.name, s_.spec.cgroup), "cgroups of {}",
                            paths.name);
    KISTE_TRY(make_payload_cgroups());
    // Everything it makes on the host is in the state file before it exists.
    net_ = std::make_unique<net::ContainerNetwork>(
        s_.spec.network, paths.name, paths.run_root(), rs_.net,
        [this] {
            rs_.host_netdevs = rs_.net.links;
            return run_.save();
        },
        log_);
    KISTE_TRY(launch_init());

    if (s_.foreground && ::isatty(STDIN_FILENO) &&
        ::tcgetattr(STDIN_FILENO, &saved_termios_) == 0) {
        termios raw = saved_termios_;
        ::cfmakeraw(&raw);
        terminal_raw_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    return {};
}

Status Monitor::make_payload_cgroups() {
    KISTE_TRY(cgroup_->create());
    rs_.cgroup_paths = cgroup_->paths();
    if (auto owner = cgroup::userns_root_owner(s_.spec))
        KISTE_TRY(cgroup_->delegate(owner->first, owner->second));
    KISTE_TRY(write_state(state::State::Starting));
    KISTE_TRY(check_fail_point("cgroup-settings"));
    // A system container without device rules gets LXC's default set.
    KISTE_TRY(cgroup_->apply_settings(cgroup::with_default_devices(s_.spec.cgroup)));
    for (const auto& w : cgroup_->warnings()) {
        log_.warn("{}", w);
        s_.warnings.push_back(w);
    }
    return {};
}

Status Monitor::launch_init() {
    runtime::LaunchOptions opt;
    opt.console_fd = ptys_[0].slave.get();
    opt.stdio_fd = ptys_[0].slave.get();
    for (size_t i = 1; i < ptys_.size(); ++i) opt.tty_fds.push_back(ptys_[i].slave.get());
    sigemptyset(&opt.parent_blocked);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&opt.parent_blocked, sig);
    // The init joins its cgroups itself, before it does anything else (see
    // CgroupEntry); its network is set up from out here.
    const auto entry = KISTE_TRY(runtime::open_cgroup_entry(*cgroup_));
    entry.use_in(opt);
    opt.before_mapped = [this](pid_t pid) -> Status {
        KISTE_TRY(net_->setup(pid));
        return check_fail_point("network");  // after it made its devices
    };
    KISTE_TRY(check_fail_point("launch"));
    init_ = KISTE_TRY(runtime::launch(s_.spec, opt, log_));
    KISTE_TRY(check_fail_point("running"));
    KISTE_TRY(run_.running(init_->init.pid()));
    log_.info("container {} RUNNING, init pid {}", s_.paths.name, rs_.init_pid);
    return {};
}

void Monitor::send_signal(int sig) {
    if (init_ && init_->init.active()) (void)init_->init.signal(sig);
}

int Monitor::halt_signal() {
    std::optional<SignalMasks> masks;
    if (init_ && init_->init.active()) masks = read_signal_masks(init_->init.pid());
    const int sig = choose_halt_signal(s_.spec.signal_halt, masks);
    log_.info("halting {} with {}{}", s_.paths.name, signal_display_name(sig),
              s_.spec.signal_halt != 0 ? " (lxc.signal.halt)" : "");
    return sig;
}

void Monitor::begin_stop(int timeout_seconds, bool kill_now) {
    if (!stopping_) {
        stopping_ = true;
        (void)write_state(state::State::Stopping);
    }
    // A frozen init cannot act on its halt signal, and on v1 not even die of
    // SIGKILL: thaw first (lxc-stop does the same).
    if (auto frozen = cgroup_->frozen(); frozen && *frozen) {
        if (auto st = cgroup_->thaw(); !st)
            log_.warn("thawing {} before stopping it: {}", s_.paths.name, st.error().message());
    }
    if (kill_now || timeout_seconds == 0) {
        // SIGKILL to the init of its own pid namespace ends all of it: the
        // kernel kills the rest before the init is reaped, and on_init_exit
        // finds the cgroups empty. kill_all waits for its kills to land (on
        // a v1 host by listing, freezing and killing again and again): only
        // a container on the host's pid namespace needs it here.
        send_signal(SIGKILL);
        if (!s_.spec.ns_new(NsKind::Pid) || !init_) (void)cgroup_->kill_all();
        return;
    }
    send_signal(halt_signal());
    if (timeout_seconds > 0) {
        auto at = Clock::now() + std::chrono::seconds(timeout_seconds);
        if (!kill_at_ || at < *kill_at_) kill_at_ = at;
    }
}

void Monitor::on_init_exit() {
    auto st = init_->init.wait();
    ran_ = std::move(init_->hook_refs);
    init_.reset();
    // In a pid namespace, reboot(2) kills init with SIGHUP (restart) or SIGINT (halt).
    const bool reboot = st && st->signaled && st->code == SIGHUP && !stopping_;
    (void)cgroup_->kill_all();
    if (reboot) {
        log_.info("container {} rebooted; starting it again", s_.paths.name);
        hooks::run_stop_hooks(s_.spec, ran_, true, log_);
        hooks::run_post_stop_hooks(s_.spec, std::exchange(ran_, {}), true, log_);
        // In fresh cgroups: this kernel kills a process cloned into a cgroup
        // that cgroup.kill emptied before (CLONE_INTO_CGROUP compares the
        // parent cgroup's kill counter with the target's), as the new init
        // and `kiste attach` are.
        auto r = cgroup_->destroy();
        if (r) r = make_payload_cgroups();
        if (r) r = launch_init();
        if (r)
            return;
        else
            log_.error("restarting {}: {}", s_.paths.name, r.error().message());
    }
    rs_.last_exit = st ? st->shell_code() : -1;
    done_ = true;
}

void Monitor::on_request(ConsoleClient& c, const std::string& req) {
    int fd = c.fd.get();
    if (req == "state") {
        (void)proto::send(fd, proto::Reply,
                          fmt::format("{} {}", state::state_name(rs_.state), rs_.init_pid));
    } else if (req.starts_with("stop")) {
        int timeout = 60, kill_now = 0;
        std::sscanf(req.c_str(), "stop %d %d", &timeout, &kill_now);
        c.awaits_stop = true;
        begin_stop(timeout, kill_now != 0);
    } else if (req == "reboot") {
        send_signal(s_.spec.signal_reboot != 0 ? s_.spec.signal_reboot : SIGINT);
        (void)proto::send(fd, proto::Reply, "ok");
    } else {
        (void)proto::send(fd, proto::Failure, fmt::format("unknown request '{}'", req));
    }
}

void Monitor::on_terminal_input() {
    char buf[4096];
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n > 0) (void)!::write(ptys_[0].master.get(), buf, static_cast<size_t>(n));
}

int Monitor::serve() {
    if (s_.foreground) console_.echo_console_to(STDOUT_FILENO);
    while (!done_) {
        // Layout: [0] init pidfd, [1] signals, [2] stdin (fg), then the console server's.
        std::vector<pollfd> fds;
        fds.push_back({init_ ? init_->init.pidfd() : -1, POLLIN, 0});
        fds.push_back({signals_.get(), POLLIN, 0});
        fds.push_back({s_.foreground ? STDIN_FILENO : -1, POLLIN, 0});
        console_.add_poll_fds(fds);
        int timeout = -1;
        if (kill_at_) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(*kill_at_ - Clock::now());
            timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
        }
        int rc = ::poll(fds.data(), fds.size(), timeout);
        if (rc < 0 && errno != EINTR) break;
        if (kill_at_ && Clock::now() >= *kill_at_) {
            log_.warn("container {} did not stop in time; killing it", s_.paths.name);
            kill_at_.reset();
            killed_after_timeout_ = true;
            begin_stop(0, true);
        }
        if (rc <= 0) continue;
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo si{};
            while (::read(signals_.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si))
                begin_stop(60, false);
        }
        if (fds[2].revents & POLLIN) on_terminal_input();
        console_.handle(std::span(fds).subspan(3));
        if (init_ && (fds[0].revents & POLLIN)) on_init_exit();
    }
    return 0;
}

void Monitor::teardown() {
    // Without the name lock nothing here is ours (another monitor runs it).
    if (lock_.fd() < 0) return;
    if (terminal_raw_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios_);
    if (init_) {
        (void)init_->init.signal(SIGKILL);
        (void)init_->init.wait();
        ran_ = std::move(init_->hook_refs);
        init_.reset();
    }
    hooks::run_stop_hooks(s_.spec, ran_, false, log_);
    // Its network namespace is still held open: phys devices come back from it.
    if (net_) net_->teardown();
    if (cgroup_) {
        if (auto st = cgroup_->destroy(); !st)
            log_.error("removing the cgroups of {}: {}", s_.paths.name, st.error().message());
    }
    if (monitor_cgroup_) {
        if (auto st = monitor_cgroup_->leave(); !st)
            log_.error("removing the monitor cgroup of {}: {}", s_.paths.name,
                       st.error().message());
    }
    run_.remove_files();
    hooks::run_post_stop_hooks(s_.spec, std::exchange(ran_, {}), false, log_);
    // Nothing of the run is left: the name is free before the stop clients
    // hear of it, so they need not wait for this process to exit.
    lock_ = state::NameLock{};
    for (auto& c : console_.clients())
        if (c->awaits_stop)
            (void)proto::send(c->fd.get(), proto::Reply,
                              killed_after_timeout_ ? "killed" : "stopped");
    console_.clients().clear();
    log_.info("container {} STOPPED", s_.paths.name);
}

// After boot a monitor only runs its small serve loop, yet its page tables
// still map the code that loading the config and booting the container
// touched: a few MiB of kiste's and libstdc++'s text, all of it in the
// monitor's PSS while no other kiste process maps it. Unmapping those pages
// (MADV_DONTNEED on read-only file mappings without a private copy of any
// page, so nothing but clean page-cache pages goes) leaves them in the page
// cache; the loop faults back in the few it uses.
void drop_boot_code_pages() {
    // All of smaps is read and parsed first, and the madvise() calls come
    // last: code that runs after a drop comes back into the monitor's PSS
    // (with kiste linked statically, libc's and libstdc++'s code too), so
    // nothing but this loop may run in between.
    std::string text;
    if (UniqueFd fd(::open("/proc/self/smaps", O_RDONLY | O_CLOEXEC)); fd) {
        char buf[16384];
        for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0;)
            text.append(buf, static_cast<size_t>(n));
    }
    struct Range {
        uintptr_t start, end;
    };
    std::vector<Range> ranges;
    uintptr_t start = 0, end = 0;
    bool candidate = false;
    for (size_t pos = 0; pos < text.size();) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) eol = text.size();
        const std::string line = text.substr(pos, eol - pos);
        pos = eol + 1;
        unsigned long long a = 0, b = 0, inode = 0;
        char perms[5] = {};
        if (std::sscanf(line.c_str(), "%llx-%llx %4s %*s %*s %llu", &a, &b, perms, &inode) == 4) {
            start = a;
            end = b;
            candidate = inode != 0 && perms[1] == '-' && perms[3] == 'p';
            continue;
        }
        unsigned long anon_kb = 0;
        if (candidate && std::sscanf(line.c_str(), "Anonymous: %lu kB", &anon_kb) == 1) {
            if (anon_kb == 0) ranges.push_back({start, end});
            candidate = false;
        }
    }
    for (const Range& r : ranges) {
        // An address read from smaps: the cast is the point.
        void* range = reinterpret_cast<void*>(r.start);  // NOLINT(performance-no-int-to-ptr)
        ::madvise(range, r.end - r.start, MADV_DONTNEED);
        // The pages the serving loop touches come back one by one, not
        // with the 15 neighbours a fault maps by default.
        ::madvise(range, r.end - r.start, MADV_RANDOM);
    }
}

}  // namespace

int run_monitor(MonitorSetup& setup, Logger& log) {
    Monitor m(setup, log);
    auto booted = m.boot();
    if (!booted) {
        std::string msg = booted.error().message();
        log.error("starting {}: {}", setup.paths.name, msg);
        if (setup.report) (void)!::write(setup.report.get(), ("ERR " + msg).data(), msg.size() + 4);
        m.teardown();
        return 1;
    }
    if (setup.report) {
        // A monitor that dies without a word: its starter cleans up after it.
        if (fail_point("monitor-crash")) ::_exit(1);
        std::string report;
        for (const auto& w : setup.warnings) {
            std::string line = w;
            std::replace(line.begin(), line.end(), '\n', ' ');
            report += "WARN " + line + "\n";
        }
        report += "OK";
        (void)!::write(setup.report.get(), report.data(), report.size());
        setup.report.reset();
        // A detached monitor lives as long as its container: hand back the
        // heap that parsing and booting left free (a monitor's memory is
        // mostly its private pages).
        ::malloc_trim(0);
        drop_boot_code_pages();
    }
    int rc = m.serve();
    m.teardown();
    return rc;
}

}  // namespace kiste::manager
