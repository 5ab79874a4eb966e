#include "hooks/runner.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>

#include "base/child_guard.hpp"
#include "base/clone.hpp"
#include "base/signals.hpp"
#include "base/unique_fd.hpp"

namespace kiste::hooks {

namespace {

using Clock = std::chrono::steady_clock;

// The output kept for the log: its tail, so that a chatty hook cannot fill
// kiste's memory.
constexpr size_t kOutputKept = size_t{64} * 1024;

// `fd` onto `target`, without close-on-exec (also when they are the same).
bool move_to(int fd, int target) {
    if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;
    return ::dup2(fd, target) == target;
}

// The hook's process: system calls only, then exec (see runner.hpp).
[[noreturn]] void hook_child(int in, int out, const char* path, char* const* argv,
                             char* const* envp) {
    ::setpgid(0, 0);
    if (!move_to(in, STDIN_FILENO) || !move_to(out, STDOUT_FILENO) || !move_to(out, STDERR_FILENO))
        ::_exit(126);
    ::syscall(SYS_close_range, 3U, UINT_MAX, CLOSE_RANGE_CLOEXEC);
    reset_ignored_signals();
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(path, argv, envp);
    const int err = errno;
    const char* why = ::strerrordesc_np(err);
    for (const char* part : {"cannot execute ", path, ": ", why != nullptr ? why : "error", "\n"})
        (void)!::write(STDERR_FILENO, part, std::strlen(part));
    ::_exit(err == ENOENT ? 127 : 126);
}

void set_nonblocking(int fd) {
    const int fl = ::fcntl(fd, F_GETFL);
    if (fl >= 0) ::fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

// Reads what is there; false at EOF (or an error).
bool read_some(int fd, std::string& out) {
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<size_t>(n));
            if (out.size() > 2 * kOutputKept) out.erase(0, out.size() - kOutputKept);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return n < 0 && errno == EAGAIN;
    }
}

void log_output(const Hook& hook, std::string output, LogLevel level, Logger& log) {
    if (output.size() > kOutputKept) output.erase(0, output.size() - kOutputKept);
    size_t pos = 0;
    while (pos < output.size()) {
        size_t eol = output.find('\n', pos);
        if (eol == std::string::npos) eol = output.size();
        log.log(level, "hook {}: {}", hook.name.empty() ? hook.path : hook.name,
                std::string_view(output).substr(pos, eol - pos));
        pos = eol + 1;
    }
}

}  // namespace

std::string describe(const Hook& hook) {
    const std::string& name = hook.name.empty() ? hook.path : hook.name;
    if (hook.origin.empty()) return fmt::format("hook {}", name);
    return fmt::format("hook {} ({})", name, hook.origin);
}

Status run_hook(const Hook& hook, const Invocation& inv, Logger& log) {
    std::vector<std::string> argv =
        hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
    argv.insert(argv.end(), inv.args.begin(), inv.args.end());
    std::vector<std::string> env = inv.env;
    env.insert(env.end(), hook.env.begin(), hook.env.end());
    auto c_argv = c_strings(argv);
    auto c_env = c_strings(env);

    // stdin is a socket: a hook that does not read its input must not kill
    // kiste with SIGPIPE (send() has MSG_NOSIGNAL, write() to a pipe not).
    int in[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
        return fail_errno("{}: a socket for its input", describe(hook));
    UniqueFd in_ours(in[0]), in_theirs(in[1]);
    int out[2];
    if (::pipe2(out, O_CLOEXEC) < 0) return fail_errno("{}: a pipe for its output", describe(hook));
    UniqueFd out_ours(out[0]), out_theirs(out[1]);

    log.debug("running {}", describe(hook));
    int pidfd = -1;
    CloneArgs args{};
    args.flags = CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    const long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) return fail_errno("{}: starting it", describe(hook));
    if (pid == 0)
        hook_child(in_theirs.get(), out_theirs.get(), hook.path.c_str(), c_argv.data(),
                   c_env.data());
    ChildGuard child(static_cast<pid_t>(pid), UniqueFd(pidfd));
    in_theirs.reset();
    out_theirs.reset();
    set_nonblocking(out_ours.get());
    set_nonblocking(in_ours.get());
    if (inv.input.empty()) in_ours.reset();

    const auto deadline = Clock::now() + inv.timeout;
    std::string output;
    size_t written = 0;
    bool exited = false;
    while (!exited) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        pollfd fds[3] = {
            {child.pidfd(), POLLIN, 0}, {out_ours.get(), POLLIN, 0}, {in_ours.get(), POLLOUT, 0}};
        const int rc = ::poll(fds, 3, static_cast<int>(std::min<int64_t>(left.count(), INT_MAX)));
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return fail_errno("{}: waiting for it", describe(hook));
        if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0 &&
            !read_some(out_ours.get(), output))
            out_ours.reset();
        if ((fds[2].revents & (POLLOUT | POLLHUP | POLLERR)) != 0) {
            const ssize_t n = ::send(in_ours.get(), inv.input.data() + written,
                                     inv.input.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) written += static_cast<size_t>(n);
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == inv.input.size())
                in_ours.reset();
        }
        exited = (fds[0].revents & POLLIN) != 0;
    }
    if (!exited) {
        // The whole group: a shell's children (sleep, ...) go with it.
        ::kill(-child.pid(), SIGKILL);
        child.kill_and_reap();
        if (out_ours.valid()) read_some(out_ours.get(), output);
        log_output(hook, std::move(output), LogLevel::Error, log);
        return fail(
            Error(ETIMEDOUT, fmt::format("{} did not finish within {} s; killed", describe(hook),
                                         (inv.timeout.count() + 999) / 1000)));
    }
    // What it wrote before it exited (a child it left behind may hold the
    // pipe open: no more waiting for EOF).
    if (out_ours.valid()) read_some(out_ours.get(), output);
    const ExitStatus st = KISTE_TRY_CTX(child.wait(), "{}", describe(hook));
    if (!st.signaled && st.code == 0) {
        log_output(hook, std::move(output), LogLevel::Info, log);
        return {};
    }
    log_output(hook, std::move(output), LogLevel::Error, log);
    if (st.signaled)
        return fail("{} was killed by signal {} ({})", describe(hook), st.code,
                    ::sigabbrev_np(st.code) != nullptr ? ::sigabbrev_np(st.code) : "?");
    return fail("{} exited with status {}", describe(hook), st.code);
}

}  // namespace kiste::hooks
