// The container child's last steps, from the LSM label to the exec of the
// payload, as one ordered table (kFinishSteps below). The order follows the
// kernel's constraints; each step says why it sits where it does. Two steps
// are named slots that do nothing yet: the LSM label (AppArmor/SELinux) and
// the seccomp filter; the exec gate is the slot where a created container
// waits for `start`.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clone.hpp"
#include "base/terminal.hpp"
#include "hooks/hooks.hpp"
#include "runtime/child_steps.hpp"
#include "security/security.hpp"

namespace kiste::runtime {

namespace {

// PATH lookup of the payload inside the container, as execvp would do, but
// with the container's PATH rather than kiste's.
// Not inlined: GCC 12 warns falsely (-Wrestrict) on the inlined string code.
[[gnu::noinline]] std::string resolve_in_path(Sys& sys, const std::string& cmd,
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
        if (sys.access(candidate.c_str(), X_OK)) return candidate;
        start = end + 1;
    }
    return cmd;
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

// What the steps share: the inputs, and what one step leaves for a later one.
struct Finish {
    Sys& sys;
    const ContainerSpec& spec;
    const LaunchOptions& opt;
    Channel& chan;
    Logger* log;
    std::optional<CapabilitySets> caps;  // from the bounding-set step
    std::vector<std::string> env;
    std::vector<std::string> argv;
};

// ---- the steps, in their order

// Slot: the AppArmor profile / SELinux label to take at exec (writing
// /proc/self/attr/.../exec). Before the credentials: after a uid change the
// process is no longer dumpable and its /proc/self/attr files belong to the
// host's root, and a non-root uid lacks the rights to change its label.
Status lsm_label(Finish& /*f*/) {
    return {};
}

// The bounding set is dropped while we are still root with every
// capability (PR_CAPBSET_DROP needs CAP_SETPCAP, which the uid change below
// may take); PR_SET_KEEPCAPS keeps the permitted set across that change.
Status drop_bounding(Finish& f) {
    f.caps = KISTE_TRY(security::drop_bounding_set(f.sys, f.spec.security));
    return {};
}

// Groups, gid, uid: the gid before the uid (setresgid needs CAP_SETGID,
// which a non-root uid no longer has).
Status credentials(Finish& f) {
    return security::set_credentials(f.sys, f.spec.process);
}

// The credential change cleared the parent-death signal; set it again so
// that a kiste killed from now on takes the container with it.
Status pdeathsig(Finish& f) {
    KISTE_TRY(reword(f.sys.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)"));
    return {};
}

// After the uid change, which cleared the effective set (and the permitted
// set too without the keepcaps of drop_bounding).
Status capabilities(Finish& f) {
    return security::set_cap_sets(f.sys, f.caps);
}

// After the capabilities: no_new_privs forbids gaining privileges at exec,
// not setting the sets now; before seccomp, which without it needs
// CAP_SYS_ADMIN, which the capability step may have dropped.
Status no_new_privs(Finish& f) {
    return security::set_no_new_privs(f.sys, f.spec.security);
}

// Slot: the seccomp filter. After no_new_privs (an unprivileged process may
// load a filter only with it), after every step that needs a syscall a
// filter may deny (credentials, capabilities, prctl).
Status seccomp(Finish& /*f*/) {
    return {};
}

// The command's argv and environment. The PATH lookup probes with access(),
// which checks against the real uid: after the credentials.
Status command(Finish& f) {
    f.env = security::build_environment(f.spec.process);
    f.argv.push_back(resolve_in_path(f.sys, f.spec.process.args.front(), f.env));
    for (size_t i = 1; i < f.spec.process.args.size(); ++i)
        f.argv.push_back(f.spec.process.args[i]);
    return {};
}

// A system container's init owns its console as controlling tty.
Status console(Finish& f) {
    if (f.opt.stdio_fd < 0) return {};
    KISTE_TRY(reword(f.sys.setsid(), "setsid for the console"));
    for (int fd = 0; fd <= 2; ++fd)
        KISTE_TRY(reword(f.sys.dup2(f.opt.stdio_fd, fd), "redirecting stdio to the console"));
    KISTE_TRY(reword(f.sys.set_controlling_tty(0), "taking the console as controlling tty"));
    return {};
}

// Nothing of the host's but stdio, the channel and the init image may reach
// the payload: every other fd becomes close-on-exec. Close-on-exec rather
// than closed: the channel must carry READY/GO and an exec failure, and the
// init image is executed through its fd. After the console step (its fd
// goes too).
Status close_fds(Finish& f) {
    auto st = f.sys.close_range(3U, UINT_MAX, CLOSE_RANGE_CLOEXEC);
    // A kernel without close_range (< 5.9) or its CLOEXEC flag (< 5.11).
    if (!st && (st.error().code() == ENOSYS || st.error().code() == EINVAL)) return {};
    return reword(std::move(st), "marking the host's fds close-on-exec");
}

Status ready(Finish& f) {
    return f.chan.send_ready();
}

// The parent's GO (state written, start-host hooks run); unset, no wait.
Status go(Finish& f) {
    if (!waits_for_go(f.spec, f.opt)) return {};
    return f.chan.wait_go();
}

// Ignored dispositions and the parent's blocked signals must not reach the
// payload; last before exec, so no signal of the setup hits the payload's
// defaults early.
Status signals(Finish& f) {
    f.sys.reset_ignored_signals();
    return reword(f.sys.sigprocmask(SIG_UNBLOCK, &f.opt.parent_blocked, nullptr), "sigprocmask");
}

// Slot: a created container waits here until `start` releases it from
// another process (the exec fifo / gate); right before the exec, after
// every step that can fail, so `start` only releases a process that is
// about to exec.
// A created container waits here until `start`, from any process, writes
// the byte it reads (LaunchOptions::exec_gate_fd). Its creator may be gone
// by then: the parent-death signal must not end it.
Status exec_gate(Finish& f) {
    if (f.opt.exec_gate_fd < 0) return {};
    KISTE_TRY(reword(f.sys.prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)"));
    char go = 0;
    KISTE_TRY(reword(f.sys.read(f.opt.exec_gate_fd, &go, 1), "waiting for the start"));
    return {};
}

// lxc.hook.start / OCI's startContainer: inside the container, once it is
// released (after `start` at the exec gate, as runc runs startContainer),
// right before the payload, with the payload's credentials.
Status start_hooks(Finish& f) {
    if (f.spec.hooks.start.empty() || f.log == nullptr) return {};
    return hooks::run_hooks(f.spec, hooks::Type::Start, {}, *f.log);
}

// kiste-init from its sealed image (the payload started for it to adopt),
// or the payload itself.
Status exec(Finish& f) {
    auto c_argv = c_strings(f.argv);
    auto c_env = c_strings(f.env);
    const bool with_init = f.spec.process.use_init && f.opt.init_image_fd >= 0;
    if (!with_init) {
        KISTE_TRY(reword(f.sys.execve(c_argv[0], c_argv.data(), c_env.data()), "executing {}",
                         f.spec.process.args[0]));
        return {};
    }
    // kiste-init takes every signal with sigwaitinfo(): block them all
    // from here on (the mask survives the exec; what arrives meanwhile
    // stays pending), the command gets the mask we had.
    PayloadStart start{c_argv[0],
                       c_argv.data(),
                       c_env.data(),
                       {},
                       command_needs_own_session(),
                       fmt::format("kiste: cannot execute {}: ", f.spec.process.args[0])};
    sigset_t all;
    ::sigfillset(&all);
    KISTE_TRY(reword(f.sys.sigprocmask(SIG_BLOCK, &all, &start.mask), "sigprocmask"));
    // `start` must stay untouched until the payload executes (or exits).
    int gate[2];
    if (::pipe2(gate, O_CLOEXEC) < 0) return fail_errno("a pipe to start {}", c_argv[0]);
    UniqueFd gate_read(gate[0]);
    const UniqueFd gate_write(gate[1]);  // closed by the exec below
    start.gate_read = gate_read.get();
    start.gate_write = gate_write.get();
    const pid_t pid = KISTE_TRY(
        reword(f.sys.clone_vm(payload_main, start.stack.get() + PayloadStart::kStackSize, &start),
               "starting {}", c_argv[0]));
    gate_read.reset();
    std::vector<std::string> init_argv{"kiste-init", "--adopt", std::to_string(pid), "--"};
    for (const auto& a : f.spec.process.args) init_argv.push_back(a);
    auto c_init_argv = c_strings(init_argv);
    auto st =
        f.sys.execveat(f.opt.init_image_fd, "", c_init_argv.data(), c_env.data(), AT_EMPTY_PATH);
    if (st) return {};
    (void)f.sys.kill(pid, SIGKILL);  // it must not run without its init
    return reword(std::move(st), "executing kiste-init");
}

struct FinishStep {
    const char* name;
    Status (*run)(Finish&);
};

// The order. The design's diagram (design.md, "The launch, in stages") has
// the same; where it is silent the kernel decides (see each step).
constexpr FinishStep kFinishSteps[] = {
    {"LSM label", lsm_label},
    {"capability bounding set", drop_bounding},
    {"credentials", credentials},
    {"parent-death signal", pdeathsig},
    {"capabilities", capabilities},
    {"no_new_privs", no_new_privs},
    {"seccomp", seccomp},
    {"command", command},
    {"console", console},
    {"closing fds", close_fds},
    {"ready", ready},
    {"go", go},
    {"signals", signals},
    {"exec gate", exec_gate},
    {"start hooks", start_hooks},
    {"exec", exec},
};

}  // namespace

Status finish_child(Sys& sys, const ContainerSpec& spec, const LaunchOptions& opt, Channel& chan,
                    Logger* log) {
    Finish f{sys, spec, opt, chan, log, std::nullopt, {}, {}};
    for (const FinishStep& step : kFinishSteps) KISTE_TRY_CTX(step.run(f), "{}", step.name);
    return {};
}

std::vector<std::string_view> finish_child_steps() {
    std::vector<std::string_view> out;
    for (const FinishStep& step : kFinishSteps) out.emplace_back(step.name);
    return out;
}

}  // namespace kiste::runtime
