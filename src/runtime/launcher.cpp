// The launch sequence (parent side and child side). The order of the child's
// steps matters and is explained where it is not obvious.
#include "runtime/launcher.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "base/clone.hpp"
#include "base/sys.hpp"
#include "rootfs/rootfs.hpp"
#include "runtime/channel.hpp"
#include "runtime/child_steps.hpp"
#include "runtime/ns/namespaces.hpp"
#include "security/security.hpp"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL  // linux/sched.h, not in glibc 2.36 sched.h
#endif

namespace kiste::runtime {

// The child's steps up to finish_child (see child_steps.hpp).
Status child_setup(Sys& sys, const ContainerSpec& spec, const LaunchOptions& opt,
                   const ns::JoinFds& joins, std::vector<UniqueFd> handed, Channel& chan,
                   Logger& log) {
    if (spec.ns_new(NsKind::User)) KISTE_TRY(ns::become_ns_root(sys));
    if (opt.net_ns_fd >= 0)
        KISTE_TRY(
            reword(sys.setns(opt.net_ns_fd, CLONE_NEWNET), "joining the net namespace made ahead"));
    KISTE_TRY(ns::join_inside(sys, joins));
    KISTE_TRY(ns::setup_time(sys, spec));
    // Now that the parent has placed us in the container's cgroups (unless
    // they come late, below).
    const bool late_cgroups = static_cast<bool>(opt.make_late_cgroups);
    if (!late_cgroups && spec.ns_new(NsKind::Cgroup))
        KISTE_TRY(reword(sys.unshare(CLONE_NEWCGROUP), "unsharing the cgroup namespace"));
    if (spec.ns_new(NsKind::Net) && opt.net_ns_fd < 0) KISTE_TRY(ns::loopback_up(sys));
    KISTE_TRY(ns::set_names(sys, spec));

    rootfs::Options ropt;
    ropt.in_user_ns = spec.ns_new(NsKind::User);
    ropt.new_pid_ns = spec.ns_new(NsKind::Pid);
    ropt.new_net_ns = spec.ns_new(NsKind::Net);
    ropt.console_fd = opt.console_fd;
    ropt.tty_fds = opt.tty_fds;
    ropt.run_hooks = [&spec, &log](const std::string& type) {
        return hooks::run_hooks(spec, hooks::parse_type(type).value_or(hooks::Type::Mount), {},
                                log);
    };
    if (!handed.empty()) ropt.rootfs_fd = handed[0].get();
    if (handed.size() > 1) ropt.rootfs_stage_fd = handed[1].get();
    const bool own_mounts = spec.ns_new(NsKind::Mount);
    if (own_mounts) KISTE_TRY(rootfs::setup(spec, ropt, sys, log));
    handed.clear();
    // sysctls go through the container's /proc before finalize() makes
    // /proc/sys read-only.
    KISTE_TRY(security::apply_sysctls(spec, log));
    if (own_mounts) KISTE_TRY(rootfs::finalize(spec, ropt, sys, log));
    KISTE_TRY(security::apply_rlimits(sys, spec.process.rlimits));

    // A fresh session keyring, so the container never sees the host's keys.
    if (spec.keyring_session)
        if (auto st = sys.join_session_keyring(); !st && st.error().code() != ENOSYS)
            return reword(std::move(st), "creating a session keyring for the container");

    KISTE_TRY(reword(sys.chdir(spec.process.cwd.c_str()), "changing to the working directory {}",
                     spec.process.cwd));
    if (late_cgroups) {
        const std::vector<UniqueFd> tasks = KISTE_TRY(chan.wait_cgroups());
        for (size_t i = 0; i < tasks.size(); ++i)
            KISTE_TRY(reword(sys.write(tasks[i].get(), "0", 1), "joining cgroup {}",
                             i < opt.late_cgroup_dirs.size() ? opt.late_cgroup_dirs[i]
                                                             : fmt::format("#{}", i + 1)));
        if (spec.ns_new(NsKind::Cgroup))
            KISTE_TRY(reword(sys.unshare(CLONE_NEWCGROUP), "unsharing the cgroup namespace"));
    }
    return {};
}

namespace {

[[noreturn]] void die_with(Channel& chan, const Error& e) {
    chan.send_error(e);
    ::_exit(126);
}

[[noreturn]] void child_main(const ContainerSpec& spec, const LaunchOptions& opt,
                             const ns::JoinFds& joins, Channel& chan, Logger& log) {
    // Never raise()/abort() here: after a raw clone3 glibc's cached thread id
    // is the parent's.
    auto die = [&chan](const Error& e) { die_with(chan, e); };
    RealSys sys;
    if (auto r = sys.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); !r)
        die(Error::from_errno(r.error().code(), "prctl(PR_SET_PDEATHSIG)"));
    auto handed = chan.wait_mapped();
    if (!handed) die(handed.error());
    for (const auto& [fd, dir] : opt.cgroup_tasks)
        if (auto st = sys.write(fd, "0", 1); !st)
            die(Error::from_errno(st.error().code(), fmt::format("joining cgroup {}", dir)));
    if (auto st = child_setup(sys, spec, opt, joins, std::move(*handed), chan, log); !st)
        die(st.error());
    // Returns only on failure: its last step executes the payload.
    auto st = finish_child(sys, spec, opt, chan, &log);
    die_with(chan, st ? Error::msg("the launch ended without executing the payload") : st.error());
}

}  // namespace

bool waits_for_go(const ContainerSpec& spec, const LaunchOptions& opt) {
    return static_cast<bool>(opt.before_go) || !spec.hooks.start_host.empty();
}

void CgroupEntry::use_in(LaunchOptions& opt) const {
    opt.cgroup_fd = v2_dir ? v2_dir.get() : -1;
    opt.cgroup_tasks.clear();
    for (const auto& [fd, dir] : v1_tasks) opt.cgroup_tasks.emplace_back(fd.get(), dir);
    opt.late_cgroup_dirs = v1_late_dirs;
}

bool late_cgroup_entry_possible(const ContainerSpec& spec) {
    // A user namespace: the child could not open host-owned cgroup files.
    // cgroup mounts inside: they need the cgroup namespace before the rootfs.
    // Hooks that run during the setup expect to run in the container's cgroups.
    if (spec.ns_new(NsKind::User) || spec.auto_mounts.cgroup != AutoMounts::Cgroup::None)
        return false;
    if (!spec.hooks.pre_mount.empty() || !spec.hooks.mount.empty() || !spec.hooks.autodev.empty())
        return false;
    return std::none_of(spec.mounts.begin(), spec.mounts.end(), [](const MountEntry& m) {
        return m.fstype == "cgroup" || m.fstype == "cgroup2";
    });
}

namespace {
// A v1 cgroup's `tasks` file, for writing "0" to (the writer joins).
Result<UniqueFd> open_tasks(const std::string& dir) {
    const std::string tasks = dir + "/tasks";
    UniqueFd fd(::open(tasks.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return fail_errno("cannot open {}", tasks);
    return fd;
}
}  // namespace

Result<CgroupEntry> open_cgroup_entry(const cgroup::Manager& m, bool late) {
    CgroupEntry e;
    for (const auto& h : m.hierarchies()) {
        if (h.v2) {
            e.v2_dir.reset(::open(h.join_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (!e.v2_dir) return fail_errno("cannot open cgroup {}", h.join_dir);
            continue;
        }
        if (late) {  // made later: open_late_tasks()
            e.v1_late_dirs.push_back(h.join_dir);
            continue;
        }
        e.v1_tasks.emplace_back(KISTE_TRY(open_tasks(h.join_dir)), h.join_dir);
    }
    return e;
}

Result<std::vector<UniqueFd>> open_late_tasks(const cgroup::Manager& m) {
    std::vector<UniqueFd> out;
    for (const auto& h : m.hierarchies())
        if (!h.v2) out.push_back(KISTE_TRY(open_tasks(h.join_dir)));
    if (out.size() > Channel::kMaxFds)
        return fail("{} cgroup v1 hierarchies: more than kiste can hand over ({})", out.size(),
                    Channel::kMaxFds);
    return out;
}

Result<pid_t> fork_into_cgroup(int cgroup_fd, UniqueFd& pidfd) {
    int fd = -1;
    CloneArgs args{};
    args.flags = CLONE_PIDFD | CLONE_INTO_CGROUP;
    args.pidfd = reinterpret_cast<uint64_t>(&fd);
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) return fail_errno("clone3 into a cgroup");
    if (pid > 0) pidfd.reset(fd);
    return static_cast<pid_t>(pid);
}

Result<Launched> launch(const ContainerSpec& spec, const LaunchOptions& opt, Logger& log) {
    if (spec.process.args.empty()) return fail("no command to run");
    KISTE_TRY(hooks::check_runnable(spec));
    KISTE_TRY(hooks::run_hooks(spec, hooks::Type::PreStart, {}, log));
    RealSys sys;
    ns::JoinFds joins = KISTE_TRY(ns::open_joins(sys, spec));
    KISTE_TRY(ns::join_pid_for_children(sys, joins));
    auto [parent_end, child_end] = KISTE_TRY(Channel::make_pair());

    int pidfd = -1;
    CloneArgs args{};
    args.flags = ns::clone_flags(spec) | CLONE_PIDFD;
    if (opt.net_ns_fd >= 0) args.flags &= ~static_cast<uint64_t>(CLONE_NEWNET);
    if (opt.cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(opt.cgroup_fd);
    }
    args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) return fail_errno("clone3 (creating the container's namespaces)");
    if (pid == 0) {
        parent_end.close();
        child_main(spec, opt, joins, child_end, log);
    }
    child_end.close();
    Launched out{ChildGuard(static_cast<pid_t>(pid), UniqueFd(pidfd))};

    // A send fails when the child has died (EPIPE): its own error, waiting
    // in the channel, says why.
    auto sent = [&](Status st) -> Status {
        if (st) return st;
        KISTE_TRY(parent_end.wait_ready(out.init.pidfd(), log));
        return st;
    };
    if (opt.before_mapped) KISTE_TRY(opt.before_mapped(out.init.pid()));
    KISTE_TRY(ns::write_id_maps(sys, out.init.pid(), spec));
    // Only with a user namespace: elsewhere the child reaches its rootfs
    // itself, and the opens would cost every execute.
    rootfs::RootfsForChild handed;
    std::vector<int> handed_fds;
    if (rootfs::rootfs_needs_parent(spec)) {
        handed = KISTE_TRY(rootfs::open_rootfs_for_child(spec, out.init.pid()));
        for (const UniqueFd* fd : {&handed.rootfs, &handed.stage})
            if (fd->valid()) handed_fds.push_back(fd->get());
    }
    KISTE_TRY(sent(parent_end.send_mapped(handed_fds)));
    handed = {};
    if (opt.make_late_cgroups) {
        const std::vector<UniqueFd> tasks = KISTE_TRY(opt.make_late_cgroups());
        std::vector<int> raw;
        for (const auto& fd : tasks) raw.push_back(fd.get());
        KISTE_TRY(sent(parent_end.send_cgroups(raw)));
    }
    KISTE_TRY(parent_end.wait_ready(out.init.pidfd(), log));
    out.hook_refs = KISTE_TRY(hooks::keep_container_refs(spec, out.init.pid()));
    if (waits_for_go(spec, opt)) {
        KISTE_TRY(hooks::run_hooks(spec, hooks::Type::StartHost, {.pid = out.init.pid()}, log));
        if (opt.before_go) KISTE_TRY(opt.before_go(out.init.pid()));
        KISTE_TRY(parent_end.send_go());
    }
    // At the exec gate the child waits for `start`, not for us.
    if (opt.exec_gate_fd >= 0) return out;
    KISTE_TRY(parent_end.wait_exec(out.init.pidfd(), log));
    return out;
}

}  // namespace kiste::runtime
