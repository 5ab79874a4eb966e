// The helpers of kiste attach. Order matters and is explained where it is
// not obvious; the protocol is drawn in wire.hpp.
#include "attach/enter.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "attach/environment.hpp"
#include "base/clone.hpp"
#include "base/signals.hpp"
#include "security/caps.hpp"

namespace kiste::attach {

namespace {

Status write_pid(const std::string& dir) {
    // cgroup v1: `tasks` moves only the calling thread (the forked
    // intermediate has one), which the kernel does without its global
    // threadgroup lock; cgroup.procs takes it, and its first taking waits for
    // an RCU grace period (~10 ms). v2 has no `tasks`.
    std::string procs = dir + "/tasks";
    UniqueFd fd(::open(procs.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd && errno == ENOENT) {
        procs = dir + "/cgroup.procs";
        fd.reset(::open(procs.c_str(), O_WRONLY | O_CLOEXEC));
    }
    if (!fd) return fail_errno("opening {}", procs);
    // "0" means the writer itself, whatever pid namespace it reads pids in.
    if (::write(fd.get(), "0", 1) < 0) return fail_errno("joining cgroup {}", dir);
    return {};
}

Status join_cgroups(const std::vector<CgroupJoin>& joins) {
    for (const auto& j : joins) {
        if (j.joined) continue;
        auto st = write_pid(j.dir);
        if (st) continue;
        // cgroup v2 refuses a process in a directory with enabled controllers
        // below it (EBUSY); join the init's own leaf then, as it is one.
        const int err = st.error().code();
        if ((err == EBUSY || err == EOPNOTSUPP) && !j.init_dir.empty()) {
            KISTE_TRY(write_pid(j.init_dir));
            continue;
        }
        return st;
    }
    return {};
}

Status join(const std::pair<NsKind, UniqueFd>& ns) {
    if (::setns(ns.second.get(), ns_clone_flag(ns.first)) < 0)
        return fail_errno("joining the {} namespace", ns_name(ns.first));
    return {};
}

// The pty of the attached process, allocated in the container's devpts (its
// /dev/ptmx, resolved in its mount namespace, where its symlinks can only
// lead to its own files): the process then sees a /dev/pts/N of its own.
struct Pty {
    UniqueFd master, slave;
};
Result<Pty> open_container_pty() {
    // O_NONBLOCK: a FIFO planted at /dev/ptmx must not hang us; the master
    // stays non-blocking for kiste's relay.
    UniqueFd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
    if (!master) return fail_errno("opening /dev/ptmx in the container for a terminal");
    struct stat st {};
    if (::fstat(master.get(), &st) < 0) return fail_errno("fstat /dev/ptmx");
    if (!S_ISCHR(st.st_mode) || ::major(st.st_rdev) != 5 || ::minor(st.st_rdev) != 2)
        return fail("/dev/ptmx in the container is not the pty multiplexer");
    int unlock = 0;
    if (::ioctl(master.get(), TIOCSPTLCK, &unlock) < 0) return fail_errno("unlocking the pty");
    // TIOCGPTPEER opens the slave through the master, not by a path inside.
    UniqueFd slave(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) return fail_errno("opening the pty's terminal side (TIOCGPTPEER)");
    return Pty{std::move(master), std::move(slave)};
}

// A small regular file of the container (we are in its mount namespace now).
std::string read_small_regular(const char* path) {
    UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd) return {};
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode)) return {};
    std::string out;
    char buf[4096];
    while (out.size() < (4U << 20)) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

// The command, decided in the container's mount namespace.
struct Exec {
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string path;  // argv[0] resolved with the command's PATH
};

// Everything but the last steps, done by the intermediate: it is not in the
// container's pid namespace, so nothing inside sees it (its /proc entry) while
// it still runs kiste's image. The attached process then exists only for the
// few system calls before exec.
Result<Exec> prepare(const EnterPlan& p, const Pty& pty) {
    const auto user = passwd_by_uid(read_small_regular("/etc/passwd"), p.uid);
    const uint32_t gid = p.gid ? *p.gid : (p.uid_given && user ? user->gid : 0);
    Exec e;
    e.env = attach_environment(p.caller_env, p.clear_env, p.env_set);
    e.argv = p.command;
    if (e.argv.empty()) e.argv.push_back(user && !user->shell.empty() ? user->shell : "/bin/sh");
    e.path = resolve_command(e.argv.front(), e.env);

    // The cwd is inherited by the clone below.
    if (p.cwd) {
        if (::chdir(p.cwd->c_str()) < 0) return fail_errno("--cwd: changing to {}", *p.cwd);
    } else if (!(user && !user->home.empty() && ::chdir(user->home.c_str()) == 0)) {
        if (::chdir("/") < 0) return fail_errno("changing to /");
    }
    // The terminal belongs to the user it is for, as login and sshd do it;
    // best effort (a uid the container does not map cannot own it).
    if (pty.slave) (void)::fchown(pty.slave.get(), p.uid, static_cast<gid_t>(-1));

    // A fresh session keyring, as start and execute give the init: the
    // caller's session keyring would otherwise come in with its keys.
    if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0 && errno != ENOSYS)
        return fail_errno("joining a new session keyring");

    ProcessSpec proc;
    proc.uid = p.uid;
    proc.gid = gid;
    SecurityConfig sec;
    sec.caps = p.caps;
    RealSys sys;
    KISTE_TRY_CTX(security::apply_credentials_and_caps(sys, proc, sec),
                  "attaching as uid {} gid {}", p.uid, gid);
    // A credential change resets dumpability to fs.suid_dumpable: say it again.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return fail_errno("prctl(PR_SET_DUMPABLE, 0)");
    return e;
}

// The attached process: a terminal of its own when there is a pty, then exec.
[[noreturn]] void run_attached(const EnterPlan& p, Wire& wire, Pty& pty, Exec& e) {
    if (pty.slave) {
        // A session of its own, with the container's pty as controlling
        // terminal (setsid must be here: the intermediate exits, and a
        // session leader's exit would hang the terminal up).
        Status st;
        if (::setsid() < 0)
            st = fail_errno("setsid");
        else if (::ioctl(pty.slave.get(), TIOCSCTTY, 0) < 0)
            st = fail_errno("making the pty the controlling terminal");
        for (int fd = 0; st && fd <= 2; ++fd)
            if (::dup2(pty.slave.get(), fd) < 0) st = fail_errno("dup2 of the pty to fd {}", fd);
        if (!st) {
            wire.send_error(st.error(), 0);
            ::_exit(126);
        }
    }
    auto c_argv = c_strings(e.argv);
    auto c_env = c_strings(e.env);
    reset_ignored_signals();
    ::sigprocmask(SIG_SETMASK, &p.restore_mask, nullptr);
    // Nothing of kiste's but stdio reaches the command (the pty fds and the
    // channel are CLOEXEC; the channel reports an exec failure below).
    ::syscall(SYS_close_range, 3U, UINT_MAX, CLOSE_RANGE_CLOEXEC);
    ::execve(e.path.c_str(), c_argv.data(), c_env.data());
    const int err = errno;
    // The shell's convention: not found 127, found but not runnable 126.
    const int code = err == ENOENT || err == ENOTDIR ? 127 : 126;
    wire.send_error(Error::from_errno(err, fmt::format("executing {}", e.argv.front())), code);
    ::_exit(code);
}

Status enter(const EnterPlan& p, Pty& pty) {
    // Before anything of the container can see this process: a non-dumpable
    // process's /proc files are root's, and it cannot be ptraced, so nothing
    // inside reaches kiste's memory or its binary (/proc/PID/exe).
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return fail_errno("prctl(PR_SET_DUMPABLE, 0)");
    // The cgroup directories are host paths and need the host's rights: first.
    KISTE_TRY(join_cgroups(p.cgroups));
    // The user namespace first: it grants the rights to join the others.
    for (const auto& ns : p.namespaces)
        if (ns.first == NsKind::User) KISTE_TRY(join(ns));
    for (const auto& ns : p.namespaces)
        if (ns.first != NsKind::User) KISTE_TRY(join(ns));
    if (p.pty) pty = KISTE_TRY(open_container_pty());
    return {};
}

}  // namespace

void run_intermediate(const EnterPlan& plan, Wire& wire) {
    // A kiste that dies leaves nobody to report to.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    Pty pty;
    if (auto st = enter(plan, pty); !st) {
        wire.send_error(st.error(), 0);
        ::_exit(126);
    }
    auto exec = prepare(plan, pty);
    if (!exec) {
        wire.send_error(exec.error(), 0);
        ::_exit(126);
    }
    // setns(CLONE_NEWPID) and setns(CLONE_NEWTIME) apply to children only:
    // the attached process is cloned now, as kiste's child (CLONE_PARENT),
    // so kiste waits for it and gets its exit status directly.
    int pidfd = -1;
    CloneArgs args{};
    args.flags = CLONE_PARENT | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) {
        wire.send_error(Error::from_errno("clone3 of the attached process"), 0);
        ::_exit(126);
    }
    if (pid == 0) run_attached(plan, wire, pty, *exec);
    UniqueFd owned(pidfd);
    if (auto st = wire.send_started(static_cast<pid_t>(pid), pidfd, pty.master.get()); !st) {
        ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
        ::_exit(126);
    }
    ::_exit(0);
}

}  // namespace kiste::attach
