#include "lifecycle/execute.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "base/fail_point.hpp"
#include "base/scope_exit.hpp"
#include "cgroup/cgroup.hpp"
#include "cgroup/defaults.hpp"
#include "cgroup/resources.hpp"
#include "hooks/hooks.hpp"
#include "lifecycle/container.hpp"
#include "net/network.hpp"
#include "runtime/ahead.hpp"
#include "runtime/init_image.hpp"
#include "runtime/launcher.hpp"
#include "spec/validate.hpp"
#include "state/run_lock.hpp"

namespace kiste::lifecycle {

using namespace runtime;

namespace {

sigset_t make_forwarded() {
    sigset_t s;
    sigemptyset(&s);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM})
        sigaddset(&s, sig);
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) sigaddset(&s, sig);
    return s;
}

// Blocks the forwarded signals for the lifetime of the object, and restores
// the previous mask at the end.
class BlockedSignals {
public:
    explicit BlockedSignals(const sigset_t& set) { ::sigprocmask(SIG_BLOCK, &set, &old_); }
    ~BlockedSignals() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;

private:
    sigset_t old_{};
};

// Waits for PID 1, passing on the signals kiste receives, and serving
// `service` (when given) meanwhile. Signals the terminal sends (SI_KERNEL:
// ^C, ^\, window changes) already reach the container's processes, which
// share kiste's process group: forwarding those would deliver them twice.
Result<ExitStatus> wait_forwarding(ChildGuard& init, const sigset_t& set, RunService* service,
                                   Logger& log) {
    UniqueFd sfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!sfd) return fail_errno("signalfd");
    std::vector<pollfd> fds;
    for (;;) {
        fds.assign({{init.pidfd(), POLLIN, 0}, {sfd.get(), POLLIN, 0}});
        if (service) service->add_poll_fds(fds);
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return fail_errno("waiting for the container");
        }
        if (service) service->handle(std::span(fds).subspan(2));
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo si{};
            while (::read(sfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
                if (si.ssi_code == SI_KERNEL) continue;
                log.debug("forwarding signal {} to the container", si.ssi_signo);
                (void)init.signal(static_cast<int>(si.ssi_signo));
            }
        }
        if (fds[0].revents & POLLIN) return init.wait();
    }
}

// What follows the mkdirs: delegated to a user namespace's root, and limited
// as `kiste start` does.
Status finish_execute_cgroups(cgroup::Manager& m, const ContainerSpec& spec, Logger& log) {
    if (auto owner = cgroup::userns_root_owner(spec))
        KISTE_TRY(m.delegate(owner->first, owner->second));
    // Without device rules of its own the container gets LXC's default set,
    // as `kiste start` gives it: otherwise root inside may open any device
    // node it makes (mknod c 1 11 is the host's /dev/kmsg).
    KISTE_TRY(m.apply_settings(cgroup::with_default_devices(spec.cgroup)));
    for (const auto& w : m.warnings()) log.warn("{}", w);
    return {};
}

// The container's cgroups. `late`: on a hybrid host only the v2 one is made
// here; the rest comes while the child sets itself up (see CgroupEntry).
// Without cgroup settings a host where kiste cannot make cgroups (an
// unprivileged caller) still runs the container, in kiste's own.
// `planned`: cgroup::make_manager's answer, whose paths are on record already.
Result<std::unique_ptr<cgroup::Manager>> make_execute_cgroups(
    const ContainerSpec& spec, Result<std::unique_ptr<cgroup::Manager>> planned, bool& late,
    Logger& log) {
    const bool wanted = cgroup::has_limits(spec.cgroup);
    auto made = [&]() -> Result<std::unique_ptr<cgroup::Manager>> {
        auto m = KISTE_TRY(std::move(planned));
        late = late && m->layout() == cgroup::Layout::Hybrid;
        if (late) {
            KISTE_TRY(m->create_v2());
            return m;
        }
        KISTE_TRY(m->create());
        ScopeExit undo([&m] { (void)m->destroy(); });
        KISTE_TRY(finish_execute_cgroups(*m, spec, log));
        undo.dismiss();
        return m;
    }();
    // (EBUSY: the name's cgroup runs another container; never run beside it)
    if (made || wanted || made.error().code() == EBUSY)
        return with_context(std::move(made), "the cgroups of container {}", spec.name);
    log.warn("container {} runs in kiste's own cgroup: {}", spec.name, made.error().message());
    late = false;
    return std::unique_ptr<cgroup::Manager>{};
}

}  // namespace

const sigset_t& forwarded_signals() {
    static const sigset_t set = make_forwarded();
    return set;
}

Result<ExitStatus> execute(ContainerSpec spec, const ExecutePlace& place, Logger& log,
                           RunService* service) {
    spec.process.use_init = true;
    KISTE_TRY(validate(spec));
    if (spec.name.empty()) spec.name = state::generate_name();
    const state::ContainerPaths paths{place.lxcpath, spec.name};
    LaunchAhead ahead;
    ahead.start(spec);
    state::NameLock lock = KISTE_TRY(state::NameLock::acquire(paths.run_root(), spec.name));
    KISTE_TRY(check_fail_point("execute-name-lock"));
    // A container of this name that lives without an owner (created, not
    // started) is not ours to replace; a dead run's record goes, and so do
    // those of killed runs of other names.
    if (auto rec = state::read_state(paths); rec && *rec) {
        const auto seen = state::observe_record(paths, std::move(**rec));
        if (seen.state != state::State::Stopped)
            return fail(Error(EBUSY, fmt::format("container {} is {}", spec.name,
                                                 state::state_name(seen.state))));
        KISTE_TRY(cleanup(paths, log));
    }
    sweep(place.lxcpath, spec.name, log);

    const std::string init_path = KISTE_TRY(find_init_binary());
    UniqueFd init_mount;  // closed once the container runs (see sealed_image)
    UniqueFd init_image = KISTE_TRY(sealed_image(init_path, state::run_root(), log, &init_mount));

    // The record exists before anything it names; the run's files go last,
    // after what the scope exits below took down.
    // The cgroups it will make are on it from the first write.
    auto planned_cgroups = cgroup::make_manager(spec.name, spec.cgroup);
    OwnedRun run;
    if (planned_cgroups) run.record().cgroup_paths = (*planned_cgroups)->paths();
    ScopeExit remove_run([&run] { run.remove_files(); });
    KISTE_TRY(run.begin(paths, state::Face::Execute, place.config_file));
    KISTE_TRY(check_fail_point("execute-record"));

    LaunchOptions opt;
    opt.init_image_fd = init_image.get();
    opt.parent_blocked = forwarded_signals();
    if (!spec.rootfs.path.empty() && ::isatty(STDIN_FILENO)) opt.console_fd = STDIN_FILENO;
    // What the service made goes while the name is still ours.
    ScopeExit end_service([service] {
        if (service) service->end();
    });
    if (service) {
        opt.tty_fds = KISTE_TRY(service->prepare(paths));
        for (size_t i = 1; i <= opt.tty_fds.size(); ++i)
            run.record().ttys.push_back(fmt::format("tty{}", i));
    }
    // The post-stop hooks run once the network and cgroups are gone.
    hooks::ContainerRefs ran;
    ScopeExit post_stop([&] { hooks::run_post_stop_hooks(spec, ran, false, log); });
    BlockedSignals blocked(opt.parent_blocked);
    // The network is set up from here; what it makes on the host is in the
    // record before it exists.
    net::ContainerNetwork network(
        spec.network, spec.name, paths.run_root(), run.record().net,
        [&run] {
            run.record().host_netdevs = run.record().net.links;
            return run.save();
        },
        log);

    // The container's cgroups exist before its init runs and go after it.
    bool late = late_cgroup_entry_possible(spec);
    auto cgroups = KISTE_TRY(make_execute_cgroups(spec, std::move(planned_cgroups), late, log));
    ScopeExit remove_cgroups([&] {
        if (!cgroups) return;
        if (auto st = cgroups->destroy(); !st)
            log.warn("removing the cgroups of {}: {}", spec.name, st.error().message());
    });
    if (!cgroups && !run.record().cgroup_paths.empty()) {
        run.record().cgroup_paths.clear();
        KISTE_TRY(run.save());
    }
    KISTE_TRY(check_fail_point("execute-cgroups"));
    CgroupEntry entry;
    if (cgroups) {
        entry = KISTE_TRY_CTX(open_cgroup_entry(*cgroups, late), "the cgroups of container {}",
                              spec.name);
        entry.use_in(opt);
        if (late)
            opt.make_late_cgroups = [&]() -> Result<std::vector<UniqueFd>> {
                KISTE_TRY(cgroups->create_v1());
                KISTE_TRY(finish_execute_cgroups(*cgroups, spec, log));
                return open_late_tasks(*cgroups);
            };
    }
    opt.before_mapped = [&network](pid_t pid) -> Status { return network.setup(pid); };
    // The thread is joined here, before the clone; a net namespace it could
    // not make comes from clone3.
    LaunchAhead::Results made = ahead.take();
    if (made.net_ns)
        opt.net_ns_fd = made.net_ns->get();
    else if (LaunchAhead::net_ns_possible(spec))
        log.debug("container {}: {}; clone3 makes the net namespace", spec.name,
                  made.net_ns.error().message());
    Launched c = KISTE_TRY_CTX(launch(spec, opt, log), "starting container {}", spec.name);
    entry = CgroupEntry{};
    init_image.reset();
    init_mount.reset();
    made.net_ns = fail("handed to the container");  // the container holds it now
    KISTE_TRY(run.running(c.init.pid()));
    log.debug("container {} runs as pid {}", spec.name, c.init.pid());
    ran = std::move(c.hook_refs);
    auto exited = wait_forwarding(c.init, opt.parent_blocked, service, log);
    hooks::run_stop_hooks(spec, ran, false, log);
    return with_context(std::move(exited), "container {}", spec.name);
}

}  // namespace kiste::lifecycle
