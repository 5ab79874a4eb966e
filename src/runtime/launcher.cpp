// The launch sequence (parent side and child side). The order of the child's
// steps matters and is explained where it is not obvious.
#include "runtime/launcher.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "base/signals.hpp"
#include "base/sys.hpp"
#include "base/terminal.hpp"
#include "rootfs/rootfs.hpp"
#include "runtime/channel.hpp"
#include "runtime/ns/namespaces.hpp"
#include "security/security.hpp"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL  // linux/sched.h, not in glibc 2.36 sched.h
#endif

namespace kiste::runtime {

namespace {

// struct clone_args of clone3(2), up to the cgroup field (CLONE_ARGS_SIZE_VER2).
struct CloneArgs {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
    uint64_t set_tid;
    uint64_t set_tid_size;
    uint64_t cgroup;
};

std::vector<char*> c_strings(std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (auto& s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// PATH lookup of the payload inside the container, as execvp would do, but
// with the container's PATH rather than kiste's.
// Not inlined: GCC 12 warns falsely (-Wrestrict) on the inlined string code.
[[gnu::noinline]] std::string resolve_in_path(const std::string& cmd,
                                              const std::vector<std::string>& env) {
    if (cmd.find('/') != std::string::npos) return cmd;
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto& e : env)
        if (e.starts_with("PATH=")) path = e.substr(5);
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::string candidate(end > start ? std::string_view(path).substr(start, end - start)
                                          : std::string_view("."));
        candidate.append("/").append(cmd);
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return cmd;
}

// Everything the child does between MAPPED and READY. Runs as the new
// namespaces' root, single-threaded, in a copy of the parent's memory.
// `handed`: the fds that came with MAPPED (the rootfs, see RootfsForChild).
Status child_setup(const ContainerSpec& spec, const LaunchOptions& opt, const ns::JoinFds& joins,
                   std::vector<UniqueFd> handed, Channel& chan, Logger& log) {
    if (spec.ns_new(NsKind::User)) KISTE_TRY(ns::become_ns_root());
    if (opt.net_ns_fd >= 0 && ::setns(opt.net_ns_fd, CLONE_NEWNET) < 0)
        return fail_errno("joining the net namespace made ahead");
    KISTE_TRY(ns::join_inside(joins));
    KISTE_TRY(ns::setup_time(spec));
    // Now that the parent has placed us in the container's cgroups (unless
    // they come late, below).
    const bool late_cgroups = static_cast<bool>(opt.make_late_cgroups);
    if (!late_cgroups && spec.ns_new(NsKind::Cgroup) && ::unshare(CLONE_NEWCGROUP) < 0)
        return fail_errno("unsharing the cgroup namespace");
    if (spec.ns_new(NsKind::Net) && opt.net_ns_fd < 0) KISTE_TRY(ns::loopback_up());
    KISTE_TRY(ns::set_names(spec));

    RealSys sys;
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
    KISTE_TRY(security::apply_rlimits(spec.process.rlimits));

    // A fresh session keyring, so the container never sees the host's keys.
    if (spec.keyring_session && ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0 &&
        errno != ENOSYS)
        return fail_errno("creating a session keyring (lxc.keyring.session)");

    if (::chdir(spec.process.cwd.c_str()) < 0)
        return fail_errno("lxc.init.cwd: changing to {}", spec.process.cwd);
    if (late_cgroups) {
        const std::vector<UniqueFd> tasks = KISTE_TRY(chan.wait_cgroups());
        for (size_t i = 0; i < tasks.size(); ++i)
            if (::write(tasks[i].get(), "0", 1) < 0)
                return fail_errno("joining cgroup {}", i < opt.late_cgroup_dirs.size()
                                                           ? opt.late_cgroup_dirs[i]
                                                           : fmt::format("#{}", i + 1));
        if (spec.ns_new(NsKind::Cgroup) && ::unshare(CLONE_NEWCGROUP) < 0)
            return fail_errno("unsharing the cgroup namespace");
    }
    KISTE_TRY(security::apply_credentials_and_caps(spec.process, spec.security));
    // The credential change cleared the parent-death signal; set it again so
    // that a kiste killed from now on takes the container with it.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) return fail_errno("prctl(PR_SET_PDEATHSIG)");
    return {};
}

// kiste execute's command, started here rather than by kiste-init: the init
// then needs no fork of its own, and its exec overlaps with the command's
// (about 1 ms of a 10 ms execute). kiste-init adopts it (--adopt PID).
// The new process shares this memory (CLONE_VM, on a stack of its own) and
// makes nothing but system calls: it waits until this process has executed
// kiste-init (the gate pipe's write end is close-on-exec, so the exec is the
// EOF it waits for), so the command never sees a PID 1 that still runs the
// host's kiste binary. Then it does what kiste-init's own fork would do for
// the command (run_command in tools/kiste-init/init.cpp), the same way.
struct PayloadStart {
    const char* path;  // resolved in the container's PATH; no '/': not found
    char* const* argv;
    char* const* envp;
    sigset_t mask;     // the command's signal mask
    bool own_session;  // see command_needs_own_session()
    std::string failure_prefix;
    int gate_read = -1;
    int gate_write = -1;
    // Not zeroed: only the pages the new process touches are faulted in.
    static constexpr size_t kStackSize = size_t{64} * 1024;
    std::unique_ptr<unsigned char[]> stack{new unsigned char[kStackSize]};
};

int payload_main(void* arg) {
    const auto* p = static_cast<const PayloadStart*>(arg);
    // Our copy of the write end goes, so EOF means: PID 1 has executed.
    ::close(p->gate_write);
    char byte = 0;
    while (::read(p->gate_read, &byte, 1) != 0 && errno == EINTR) {
    }
    ::close(p->gate_read);
    if (p->own_session && ::setsid() >= 0) (void)::ioctl(STDIN_FILENO, TIOCSCTTY, 0);
    ::sigprocmask(SIG_SETMASK, &p->mask, nullptr);
    int err = ENOENT;
    if (std::strchr(p->path, '/') != nullptr) {
        ::execve(p->path, p->argv, p->envp);
        err = errno;
    }
    const char* why = ::strerrordesc_np(err);
    for (const char* part : {p->failure_prefix.c_str(), why != nullptr ? why : "error", "\n"})
        (void)!::write(STDERR_FILENO, part, std::strlen(part));
    ::_exit(err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG || err == ELOOP ? 127 : 126);
}

// `start` must stay untouched until this process executes (or exits).
Result<pid_t> spawn_payload(PayloadStart& start) {
    int gate[2];
    if (::pipe2(gate, O_CLOEXEC) < 0) return fail_errno("a pipe to start {}", start.argv[0]);
    start.gate_read = gate[0];
    start.gate_write = gate[1];
    const int pid = ::clone(payload_main, start.stack.get() + PayloadStart::kStackSize,
                            CLONE_VM | SIGCHLD, &start);
    if (pid < 0) return fail_errno("starting {}", start.argv[0]);
    ::close(gate[0]);
    return static_cast<pid_t>(pid);
}

// The child waits for GO when the parent has work between READY and the
// exec: before_go, or start-host hooks.
bool waits_for_go(const ContainerSpec& spec, const LaunchOptions& opt) {
    return static_cast<bool>(opt.before_go) || !spec.hooks.start_host.empty();
}

[[noreturn]] void die_with(Channel& chan, const Error& e) {
    chan.send_error(e);
    ::_exit(126);
}

[[noreturn]] void child_main(const ContainerSpec& spec, const LaunchOptions& opt,
                             const ns::JoinFds& joins, Channel& chan, Logger& log) {
    // Never raise()/abort() here: after a raw clone3 glibc's cached thread id
    // is the parent's.
    auto die = [&chan](const Error& e) { die_with(chan, e); };
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die(Error::from_errno("prctl(PR_SET_PDEATHSIG)"));
    auto handed = chan.wait_mapped();
    if (!handed) die(handed.error());
    for (const auto& [fd, dir] : opt.cgroup_tasks)
        if (::write(fd, "0", 1) < 0) die(Error::from_errno(fmt::format("joining cgroup {}", dir)));
    if (auto st = child_setup(spec, opt, joins, std::move(*handed), chan, log); !st)
        die(st.error());

    std::vector<std::string> env = security::build_environment(spec.process);
    // The command (run directly, or started here for kiste-init to adopt).
    std::vector<std::string> argv;
    argv.push_back(resolve_in_path(spec.process.args.front(), env));
    for (size_t i = 1; i < spec.process.args.size(); ++i) argv.push_back(spec.process.args[i]);
    const bool with_init = spec.process.use_init && opt.init_image_fd >= 0;
    auto c_argv = c_strings(argv);
    auto c_env = c_strings(env);

    if (opt.stdio_fd >= 0) {
        // A system container's init owns its console as controlling tty.
        if (::setsid() < 0) die(Error::from_errno("setsid for the console"));
        for (int fd = 0; fd <= 2; ++fd)
            if (::dup2(opt.stdio_fd, fd) < 0)
                die(Error::from_errno("redirecting stdio to the console"));
        if (::ioctl(0, TIOCSCTTY, 0) < 0)
            die(Error::from_errno("taking the console as controlling tty"));
    }
    // Nothing of the host's but stdio, the channel and the init image may
    // reach the payload: mark every other fd close-on-exec.
    ::syscall(SYS_close_range, 3U, UINT_MAX, CLOSE_RANGE_CLOEXEC);
    if (auto st = chan.send_ready(); !st) ::_exit(126);
    if (waits_for_go(spec, opt))
        if (auto st = chan.wait_go(); !st) ::_exit(126);
    if (auto st = hooks::run_hooks(spec, hooks::Type::Start, {}, log); !st) die(st.error());
    reset_ignored_signals();
    ::sigprocmask(SIG_UNBLOCK, &opt.parent_blocked, nullptr);

    if (with_init) {
        // kiste-init takes every signal with sigwaitinfo(): block them all
        // from here on (the mask survives the exec; what arrives meanwhile
        // stays pending), the command gets the mask we had.
        PayloadStart start{c_argv[0],
                           c_argv.data(),
                           c_env.data(),
                           {},
                           command_needs_own_session(),
                           fmt::format("kiste: cannot execute {}: ", spec.process.args[0])};
        sigset_t all;
        ::sigfillset(&all);
        ::sigprocmask(SIG_BLOCK, &all, &start.mask);
        auto pid = spawn_payload(start);
        if (!pid) die(pid.error());
        std::vector<std::string> init_argv{"kiste-init", "--adopt", std::to_string(*pid), "--"};
        for (const auto& a : spec.process.args) init_argv.push_back(a);
        auto c_init_argv = c_strings(init_argv);
        ::syscall(SYS_execveat, opt.init_image_fd, "", c_init_argv.data(), c_env.data(),
                  AT_EMPTY_PATH);
        const int err = errno;
        ::kill(*pid, SIGKILL);  // it must not run without its init
        die(Error::from_errno(err, "executing kiste-init"));
    }
    ::execve(c_argv[0], c_argv.data(), c_env.data());
    int err = errno;
    die_with(chan, Error::from_errno(err, fmt::format("executing {}", spec.process.args[0])));
}

}  // namespace

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
    ns::JoinFds joins = KISTE_TRY(ns::open_joins(spec));
    KISTE_TRY(ns::join_pid_for_children(joins));
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
    KISTE_TRY(ns::write_id_maps(out.init.pid(), spec));
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
    KISTE_TRY(parent_end.wait_exec(out.init.pidfd(), log));
    return out;
}

}  // namespace kiste::runtime
