#include "lifecycle/container.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <thread>

#include "base/fail_point.hpp"
#include "base/process.hpp"
#include "base/run_root.hpp"
#include "base/scope_exit.hpp"
#include "cgroup/cgroup.hpp"
#include "net/network.hpp"

namespace kiste::lifecycle {

namespace {

using Clock = std::chrono::steady_clock;

Status make_dir(const std::string& d) {
    if (::mkdir(d.c_str(), 0755) < 0 && errno != EEXIST) return fail_errno("creating {}", d);
    return {};
}

Status make_run_dir(const state::ContainerPaths& paths) {
    // The common case (the run root exists) costs one mkdir.
    if (::mkdir(paths.run_dir().c_str(), 0755) == 0 || errno == EEXIST) return {};
    if (errno != ENOENT) return fail_errno("creating {}", paths.run_dir());
    for (const std::string& d : {kiste::run_root(), paths.run_root(), paths.run_dir()})
        KISTE_TRY(make_dir(d));
    return {};
}

void remove_run_files(const state::ContainerPaths& paths) {
    ::unlink(paths.exec_fifo().c_str());
    ::unlink(paths.monitor_socket().c_str());
    ::unlink(paths.state_file().c_str());
    ::unlink((paths.state_file() + ".tmp").c_str());
    ::rmdir(paths.run_dir().c_str());
    // A per-path subdirectory, once empty (the run root itself stays).
    if (paths.run_root() != kiste::run_root()) ::rmdir(paths.run_root().c_str());
}

Status pidfd_signal(int pidfd, int sig) {
    if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) < 0 && errno != ESRCH)
        return fail_errno("sending signal {}", sig);
    return {};
}

// Waits until the pidfd's process exits; false on timeout (-1 ms: forever).
bool wait_exit(int pidfd, int timeout_ms) {
    pollfd p{pidfd, POLLIN, 0};
    for (;;) {
        const int r = ::poll(&p, 1, timeout_ms);
        if (r > 0) return true;
        if (r == 0) return false;
        if (errno != EINTR) return true;
    }
}

// The state for a caller that holds the name lock: without a record the
// container does not exist (no owner can be about to write one).
state::Observed observe_locked(const state::ContainerPaths& paths) {
    auto rec = state::read_state(paths);
    if (!rec || !*rec) return {};
    return state::observe_record(paths, std::move(**rec));
}

Result<state::RuntimeState> recorded(const state::ContainerPaths& paths) {
    auto rec = KISTE_TRY(state::read_state(paths));
    if (!rec) return fail(Error(ENOENT, fmt::format("container {} does not exist", paths.name)));
    return std::move(*rec);
}

}  // namespace

Result<ChildGuard> RuntimeLauncher::launch(const ContainerSpec& spec,
                                           const runtime::LaunchOptions& opt, Logger& log) {
    runtime::Launched l = KISTE_TRY(runtime::launch(spec, opt, log));
    return std::move(l.init);
}

Status OwnedRun::begin(const state::ContainerPaths& paths, state::Face face,
                       std::string config_file) {
    paths_ = paths;
    KISTE_TRY(make_run_dir(paths));
    const ProcessId me = this_process();
    rs_.face = face;
    rs_.owner_pid = me.pid;
    rs_.owner_start_time = me.start_time;
    rs_.created = ::time(nullptr);
    rs_.config_file = std::move(config_file);
    KISTE_TRY(check_fail_point("state-file"));
    return save(state::State::Starting);
}

Status OwnedRun::save(state::State st) {
    rs_.state = st;
    return state::write_state(paths_, rs_);
}

Status OwnedRun::running(pid_t init) {
    rs_.init_pid = init;
    rs_.init_start_time = process_start_time(init);
    return save(state::State::Running);
}

void OwnedRun::remove_files() {
    if (paths_.name.empty()) return;
    remove_run_files(paths_);
}

Status create(const state::ContainerPaths& paths, const ContainerSpec& spec, Launcher& launcher,
              Logger& log) {
    auto lock = KISTE_TRY(state::NameLock::acquire(paths.run_root(), paths.name));
    auto seen = observe_locked(paths);
    if (seen.state != state::State::Stopped)
        return fail(Error(EEXIST, fmt::format("container {} exists ({})", paths.name,
                                              state::state_name(seen.state))));
    if (seen.stale) KISTE_TRY(cleanup(paths, log));
    // Owned by this process until the init waits at the gate: a create
    // killed half way leaves a dead record.
    OwnedRun run;
    ScopeExit undo([&run] { run.remove_files(); });
    KISTE_TRY(run.begin(paths, state::Face::None, {}));
    if (::mkfifo(paths.exec_fifo().c_str(), 0600) < 0)
        return fail_errno("creating {}", paths.exec_fifo());
    // O_RDWR: the open does not wait for a writer, and the init's read
    // blocks until start() writes.
    UniqueFd gate(::open(paths.exec_fifo().c_str(), O_RDWR | O_CLOEXEC));
    if (!gate) return fail_errno("opening {}", paths.exec_fifo());
    // The record guards the name from here (its owner, this process, lives),
    // and the init must not inherit the lock: it would hold the name while
    // it waits at the gate.
    lock = state::NameLock{};
    runtime::LaunchOptions opt;
    opt.exec_gate_fd = gate.get();
    ChildGuard init =
        KISTE_TRY_CTX(launcher.launch(spec, opt, log), "creating container {}", paths.name);
    gate.reset();
    run.record().owner_pid = 0;
    run.record().owner_start_time = 0;
    run.record().init_pid = init.pid();
    run.record().init_start_time = process_start_time(init.pid());
    KISTE_TRY(run.save(state::State::Created));
    // The container outlives this process: its init is no longer ours.
    (void)init.release();
    undo.dismiss();
    return {};
}

Status start(const state::ContainerPaths& paths) {
    auto lock = KISTE_TRY(state::NameLock::acquire(paths.run_root(), paths.name));
    auto seen = observe_locked(paths);
    if (seen.state != state::State::Created)
        return fail(Error(EINVAL, fmt::format("container {} is {}, not CREATED", paths.name,
                                              state::state_name(seen.state))));
    UniqueFd fifo(::open(paths.exec_fifo().c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fifo) {
        if (errno == ENXIO)
            return fail(Error(ESRCH, fmt::format("container {}: its init no longer waits to "
                                                 "start (it died)",
                                                 paths.name)));
        return fail_errno("opening {}", paths.exec_fifo());
    }
    ::unlink(paths.exec_fifo().c_str());
    if (::write(fifo.get(), "0", 1) != 1) return fail_errno("starting container {}", paths.name);
    state::RuntimeState r = std::move(*seen.recorded);
    r.state = state::State::Running;
    return state::write_state(paths, r);
}

Status kill(const state::ContainerPaths& paths, int sig) {
    const state::RuntimeState r = KISTE_TRY(recorded(paths));
    auto pidfd = open_process(r.init());
    if (!pidfd) return fail(Error(ESRCH, fmt::format("container {} is not running", paths.name)));
    return with_context(pidfd_signal(pidfd->get(), sig), "container {}", paths.name);
}

namespace {
Status freezer(const state::ContainerPaths& paths, bool freeze) {
    const state::RuntimeState r = KISTE_TRY(recorded(paths));
    if (!r.init().alive())
        return fail(Error(ESRCH, fmt::format("container {} is not running", paths.name)));
    if (r.cgroup_paths.empty()) return fail("container {} has no cgroup to freeze", paths.name);
    auto m = KISTE_TRY(cgroup::open_manager(r.cgroup_paths));
    return with_context(freeze ? m->freeze() : m->thaw(), "container {}", paths.name);
}
}  // namespace

Status pause(const state::ContainerPaths& paths) {
    return freezer(paths, true);
}

Status resume(const state::ContainerPaths& paths) {
    return freezer(paths, false);
}

Result<bool> stop(const state::ContainerPaths& paths, int halt_signal, int timeout_seconds,
                  bool kill_now, Logger& log) {
    const state::RuntimeState r = KISTE_TRY(recorded(paths));
    bool killed = false;
    if (auto pidfd = open_process(r.init()); pidfd) {
        // A frozen init cannot act on its halt signal (on v1 not even die).
        if (!r.cgroup_paths.empty())
            if (auto m = cgroup::open_manager(r.cgroup_paths); m)
                if (auto frozen = (*m)->frozen(); frozen && *frozen) (void)(*m)->thaw();
        if (kill_now || timeout_seconds == 0) {
            KISTE_TRY(pidfd_signal(pidfd->get(), SIGKILL));
        } else {
            log.info("halting {} with signal {}", paths.name, halt_signal);
            KISTE_TRY(pidfd_signal(pidfd->get(), halt_signal));
            const int ms = timeout_seconds < 0 ? -1 : timeout_seconds * 1000;
            if (!wait_exit(pidfd->get(), ms)) {
                log.warn("container {} did not stop in time; killing it", paths.name);
                KISTE_TRY(pidfd_signal(pidfd->get(), SIGKILL));
                killed = true;
            }
        }
        (void)wait_exit(pidfd->get(), -1);
    }
    // The owner tears down and frees the name; a container without one is
    // cleaned up here.
    if (!r.owner().empty()) {
        auto owner = open_process(r.owner());
        if (owner) (void)wait_exit(owner->get(), -1);
        for (int i = 0; i < 1000 && state::NameLock::held(paths.run_root(), paths.name); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        // An owner killed meanwhile left its record: it is dead now.
        KISTE_TRY(cleanup(paths, log));
        return killed;
    }
    auto lock = KISTE_TRY(state::NameLock::acquire(paths.run_root(), paths.name));
    KISTE_TRY(cleanup(paths, log));
    return killed;
}

Status remove(const state::ContainerPaths& paths, bool force, Logger& log) {
    auto lock = KISTE_TRY(state::NameLock::acquire(paths.run_root(), paths.name));
    auto seen = observe_locked(paths);
    if (!seen.recorded)
        return fail(Error(ENOENT, fmt::format("container {} does not exist", paths.name)));
    const state::RuntimeState& r = *seen.recorded;
    if (r.owner().alive())
        return fail(Error(EBUSY, fmt::format("container {} is owned by process {} ({})", paths.name,
                                             r.owner_pid, state::face_name(r.face))));
    if (seen.state != state::State::Stopped) {
        if (!force)
            return fail(Error(EBUSY, fmt::format("container {} is {}: stop it first", paths.name,
                                                 state::state_name(seen.state))));
        if (auto pidfd = open_process(r.init()); pidfd) {
            KISTE_TRY(pidfd_signal(pidfd->get(), SIGKILL));
            (void)wait_exit(pidfd->get(), -1);
        }
    }
    return cleanup(paths, log);
}

Status cleanup(const state::ContainerPaths& paths, Logger& log) {
    auto rec = KISTE_TRY(state::read_state(paths));
    if (!rec) {
        // Files of a run that wrote no record yet (or removed it): not while
        // a live owner may be about to write it.
        if (!state::NameLock::held(paths.run_root(), paths.name)) remove_run_files(paths);
        return {};
    }
    const auto seen = state::observe_record(paths, std::move(*rec));
    if (!seen.stale) return {};
    const state::RuntimeState& r = *seen.recorded;
    // An init that outlived its owner (it should not: pdeathsig) is ended.
    if (auto pidfd = open_process(r.init()); pidfd) {
        (void)pidfd_signal(pidfd->get(), SIGKILL);
        (void)wait_exit(pidfd->get(), 1000);
    }
    for (const auto* cgroups : {&r.cgroup_paths, &r.monitor_cgroup_paths}) {
        if (cgroups->empty()) continue;
        if (auto cg = cgroup::open_manager(*cgroups); cg) {
            if (auto st = (*cg)->destroy(); !st)
                log.warn("cleaning the cgroups of {}: {}", paths.name, st.error().message());
        }
    }
    // What the network made on the host; phys devices come back. The record
    // shrinks to what could not be undone, which stays on file.
    if (!r.net.empty()) {
        state::RuntimeState left = r;
        net::cleanup_record(left.net, log, [&] { return state::write_state(paths, left); });
        if (!left.net.empty())
            return fail(
                "container {}: could not undo all of its network setup (see above); "
                "{} keeps the rest",
                paths.name, paths.state_file());
    }
    remove_run_files(paths);
    return {};
}

std::vector<std::string> recorded_names(const std::string& lxcpath) {
    std::vector<std::string> names;
    const std::string root = state::ContainerPaths{lxcpath, ""}.run_root();
    DIR* d = ::opendir(root.c_str());
    if (d == nullptr) return names;
    ScopeExit close_dir([d] { ::closedir(d); });
    const int dfd = ::dirfd(d);
    while (const dirent* e = ::readdir(d)) {
        if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
        const std::string n = e->d_name;
        if (n == "." || n == ".." || !state::validate_name(n)) continue;
        if (::faccessat(dfd, (n + "/state.json").c_str(), F_OK, 0) == 0) names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    return names;
}

void sweep(const std::string& lxcpath, const std::string& except, Logger& log) {
    for (const std::string& name : recorded_names(lxcpath)) {
        if (name == except) continue;
        const state::ContainerPaths paths{lxcpath, name};
        // A name whose lock is held is someone's: skipped.
        auto lock = state::NameLock::acquire(paths.run_root(), name);
        if (!lock) continue;
        if (auto st = cleanup(paths, log); !st)
            log.warn("removing what a killed run of {} left: {}", name, st.error().message());
    }
}

}  // namespace kiste::lifecycle
