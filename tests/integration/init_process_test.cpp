// kiste-init run directly (no container): exit codes, signal forwarding,
// reaping, stdio, environment, terminals. As root, some cases also run with
// kiste-init as PID 1 of a new pid namespace (unshare --pid --fork).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string init_path() {
    return (fs::path(KISTE_BINARY).parent_path() / "kiste-init").string();
}

bool have(const char* prog) {
    return ::access(prog, X_OK) == 0;
}

// A spawned process with its stdout (and stderr) on pipes.
struct Proc {
    pid_t pid = -1;
    int out = -1;
    int err = -1;
};

struct Fds {
    int in = -1;   // -1: /dev/null
    int out = -1;  // -1: a pipe
    int err = -1;  // -1: a pipe
};

Proc spawn(const std::vector<std::string>& argv, Fds fds = {},
           const std::vector<std::string>* env = nullptr) {
    int o[2] = {-1, -1}, e[2] = {-1, -1};
    if (fds.out < 0 && ::pipe2(o, O_CLOEXEC) < 0) return {};
    if (fds.err < 0 && ::pipe2(e, O_CLOEXEC) < 0) return {};
    std::vector<char*> a, en;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    if (env) {
        for (const auto& s : *env) en.push_back(const_cast<char*>(s.c_str()));
        en.push_back(nullptr);
    }
    pid_t pid = ::fork();
    if (pid == 0) {
        int in = fds.in >= 0 ? fds.in : ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        ::dup2(fds.out >= 0 ? fds.out : o[1], 1);
        ::dup2(fds.err >= 0 ? fds.err : e[1], 2);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (env)
            ::execve(a[0], a.data(), en.data());
        else
            ::execv(a[0], a.data());
        ::_exit(127);
    }
    Proc p;
    p.pid = pid;
    if (fds.out < 0) {
        ::close(o[1]);
        p.out = o[0];
    }
    if (fds.err < 0) {
        ::close(e[1]);
        p.err = e[0];
    }
    return p;
}

// Reads everything until EOF (or the deadline).
std::string drain(int fd, std::chrono::seconds limit = std::chrono::seconds(20)) {
    std::string s;
    if (fd < 0) return s;
    const auto end = Clock::now() + limit;
    char buf[65536];
    while (Clock::now() < end) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, 100) <= 0) continue;
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        s.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return s;
}

// Reads until `what` appears in the output (the process stays running).
bool read_until(int fd, const std::string& what, std::string& acc) {
    const auto end = Clock::now() + std::chrono::seconds(10);
    char buf[4096];
    while (acc.find(what) == std::string::npos) {
        if (Clock::now() > end) return false;
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, 100) <= 0) continue;
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) return false;
        acc.append(buf, static_cast<size_t>(n));
    }
    return true;
}

// waitpid with a deadline; kills the process (and reports failure) after it.
std::optional<int> wait_for(pid_t pid, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto end = Clock::now() + limit;
    for (;;) {
        int st = 0;
        pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid) return st;
        if (r < 0) return std::nullopt;
        if (Clock::now() > end) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &st, 0);
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

struct Ran {
    int status = -1;
    std::string out, err;
    double seconds = 0;
};

Ran run(const std::vector<std::string>& argv, Fds fds = {},
        const std::vector<std::string>* env = nullptr) {
    const auto t0 = Clock::now();
    Proc p = spawn(argv, fds, env);
    Ran r;
    std::thread errs([&] { r.err = drain(p.err); });
    r.out = drain(p.out);
    errs.join();
    auto st = wait_for(p.pid);
    r.status = st ? *st : -1;
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return r;
}

int code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

// Once `p` has printed "ready", sends it `sig`; its exit code (code()), or
// -1 when it never got ready or never ended. Closes its pipes.
int code_after_signal(Proc& p, int sig) {
    std::string out;
    int result = -1;
    if (read_until(p.out, "ready", out) && ::kill(p.pid, sig) == 0) {
        if (auto st = wait_for(p.pid)) result = code(*st);
    }
    if (result < 0) {  // never ready, or stuck: it must not outlive the test
        ::kill(p.pid, SIGKILL);
        (void)wait_for(p.pid);
    }
    ::close(p.out);
    ::close(p.err);
    return result;
}

class InitTest : public ::testing::Test {
protected:
    void SetUp() override {
        init_ = init_path();
        if (!have(init_.c_str())) GTEST_SKIP() << init_ << " was not built";
        char tmpl[] = "/tmp/kiste-init-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
    }
    std::vector<std::string> sh(const std::string& script) {
        return {init_, "--", "/bin/sh", "-c", script, "sh", dir_.string()};
    }
    std::string init_;
    fs::path dir_;
};

TEST_F(InitTest, ExitCodeOfTheCommand) {
    EXPECT_EQ(code(run(sh("exit 3")).status), 3);
    EXPECT_EQ(code(run(sh("exit 0")).status), 0);
    EXPECT_EQ(code(run({init_, "/bin/true"}).status), 0);  // without "--"
}

TEST_F(InitTest, KilledBySignalGives128PlusN) {
    EXPECT_EQ(code(run(sh("kill -TERM $$")).status), 143);
    EXPECT_EQ(code(run(sh("kill -KILL $$")).status), 137);
}

TEST_F(InitTest, ExecFailuresLikeAShell) {
    Ran r = run({init_, "--", "/nonexistent/cmd"});
    EXPECT_EQ(code(r.status), 127);
    EXPECT_EQ(r.err, "kiste-init: cannot execute /nonexistent/cmd: No such file or directory\n");
    r = run({init_, "--", "no-such-command-kiste"});
    EXPECT_EQ(code(r.status), 127);
    const fs::path noexec = dir_ / "noexec";
    std::ofstream(noexec) << "#!/bin/sh\n";
    ::chmod(noexec.c_str(), 0644);
    r = run({init_, "--", noexec.string()});
    EXPECT_EQ(code(r.status), 126);
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
}

TEST_F(InitTest, UsageWithoutCommand) {
    Ran r = run({init_});
    EXPECT_EQ(code(r.status), 125);
    EXPECT_NE(r.err.find("usage: kiste-init"), std::string::npos);
    EXPECT_EQ(code(run({init_, "--"}).status), 125);
}

// --adopt PID: kiste execute starts the command itself and kiste-init takes
// it over as its child. Here a shell starts it in the background and then
// becomes kiste-init (exec keeps the pid, and so the child).
TEST_F(InitTest, AdoptsACommandStartedBeforeIt) {
    auto adopt = [&](const std::string& command) -> std::vector<std::string> {
        return {"/bin/sh", "-c", command + " & exec \"$0\" --adopt $! -- cmd", init_};
    };
    EXPECT_EQ(code(run(adopt("(exit 4)")).status), 4);             // maybe gone already
    EXPECT_EQ(code(run(adopt("(sleep 0.2; exit 5)")).status), 5);  // still running
    EXPECT_EQ(code(run(adopt("(sleep 0.2; kill -KILL $$)")).status), 1000 + SIGKILL);
    // Signals reach the adopted command as they reach a forked one.
    // ("ready" once the shell has become kiste-init, which blocks its
    // signals first thing.)
    Proc p = spawn(adopt(
        "(trap 'exit 42' TERM; while [ \"$(cat /proc/$$/comm)\" != kiste-init ]; do sleep 0.01; "
        "done; sleep 0.05; echo ready; while :; do sleep 0.05; done)"));
    EXPECT_EQ(code_after_signal(p, SIGTERM), 42);
    EXPECT_EQ(code(run({init_, "--adopt", "0", "--", "x"}).status), 125);
}

TEST_F(InitTest, ForwardsSignals) {
    struct Case {
        int sig;
        const char* trap;
    };
    for (Case c : {Case{SIGUSR1, "USR1"}, Case{SIGTERM, "TERM"}, Case{SIGHUP, "HUP"},
                   Case{SIGINT, "INT"}, Case{SIGUSR2, "USR2"}, Case{SIGQUIT, "QUIT"}}) {
        Proc p = spawn(sh(std::string("trap 'exit 42' ") + c.trap +
                          "; echo ready; while :; do sleep 0.05; done"));
        EXPECT_EQ(code_after_signal(p, c.sig), 42) << c.trap;
    }
}

TEST_F(InitTest, UntrappedForwardedTermEndsTheCommand) {
    Proc p = spawn(sh("echo ready; exec sleep 30"));
    std::string out;
    ASSERT_TRUE(read_until(p.out, "ready", out));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let exec happen
    ASSERT_EQ(::kill(p.pid, SIGTERM), 0);
    auto st = wait_for(p.pid);
    ASSERT_TRUE(st);
    EXPECT_EQ(code(*st), 143);
    ::close(p.out);
    ::close(p.err);
}

TEST_F(InitTest, ReapsOrphansAsSubreaper) {
    // The orphan's parent (a subshell) exits at once; the orphan, re-parented
    // to kiste-init, records its new parent and exits. kiste-init must reap it
    // while the command still runs.
    const std::string script = R"SH(
        ( sh -c 'echo $$ > "$1/pid"; sleep 0.2; cut -d" " -f4 /proc/$$/stat > "$1/ppid"' x "$1" & )
        sleep 1
        p=$(cat "$1/pid")
        if [ -d /proc/$p ]; then echo "left: $(cut -d' ' -f3 /proc/$p/stat)"; exit 1; fi
        echo reaped
    )SH";
    Proc p = spawn(sh(script));
    std::string out = drain(p.out);
    ::close(p.err);
    auto st = wait_for(p.pid);
    ASSERT_TRUE(st);
    EXPECT_EQ(code(*st), 0) << out;
    EXPECT_EQ(out, "reaped\n");
    std::ifstream f(dir_ / "ppid");
    pid_t ppid = 0;
    f >> ppid;
    EXPECT_EQ(ppid, p.pid) << "the orphan was not re-parented to kiste-init";
}

TEST_F(InitTest, TerminatesTheRestWhenTheCommandEnds) {
    // A background process outlives the command: kiste-init sends it SIGTERM
    // and exits with the command's code without waiting for it.
    Ran r = run(sh("sleep 60 & echo $!; exit 5"));
    EXPECT_EQ(code(r.status), 5);
    EXPECT_LT(r.seconds, 5.0);
    pid_t bg = std::atoi(r.out.c_str());
    ASSERT_GT(bg, 0);
    EXPECT_FALSE(fs::exists("/proc/" + std::to_string(bg))) << "the background sleep survived";
}

TEST_F(InitTest, KillsWhatIgnoresSigterm) {
    // The background job says when its trap is set, so SIGTERM cannot beat it.
    const std::string ready = (dir_ / "trap-set").string();
    Ran r = run(sh("(trap '' TERM; touch " + ready + "; exec sleep 60) & while ! test -e " + ready +
                   "; do sleep 0.01; done; echo $!; exit 6"));
    EXPECT_EQ(code(r.status), 6);
    EXPECT_GE(r.seconds, 0.9);  // the grace second
    EXPECT_LT(r.seconds, 5.0);
    pid_t bg = std::atoi(r.out.c_str());
    ASSERT_GT(bg, 0);
    EXPECT_FALSE(fs::exists("/proc/" + std::to_string(bg)));
}

TEST_F(InitTest, NoWaitWhenNothingIsLeft) {
    Ran r = run({init_, "--", "/bin/true"});
    EXPECT_EQ(code(r.status), 0);
    EXPECT_LT(r.seconds, 0.5);
}

TEST_F(InitTest, StdinAndStdoutPassThrough) {
    int in[2];
    ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
    Proc p = spawn({init_, "--", "/bin/cat"}, Fds{in[0], -1, -1});
    ::close(in[0]);
    std::string big;
    for (int i = 0; i < 100000; ++i) big += "line " + std::to_string(i) + "\n";
    std::thread writer([&] {
        size_t off = 0;
        while (off < big.size()) {
            ssize_t n = ::write(in[1], big.data() + off, big.size() - off);
            if (n <= 0) break;
            off += static_cast<size_t>(n);
        }
        ::close(in[1]);
    });
    std::string out = drain(p.out);
    writer.join();
    ::close(p.err);
    auto st = wait_for(p.pid);
    ASSERT_TRUE(st);
    EXPECT_EQ(code(*st), 0);
    EXPECT_EQ(out.size(), big.size());
    EXPECT_TRUE(out == big);
}

TEST_F(InitTest, StderrPassesThrough) {
    Ran r = run(sh("echo to-err >&2; echo to-out"));
    EXPECT_EQ(r.out, "to-out\n");
    EXPECT_EQ(r.err, "to-err\n");
}

TEST_F(InitTest, EnvironmentPassesThroughUnchanged) {
    std::vector<std::string> env = {"FOO=bar baz", "PATH=/usr/bin:/bin", "EMPTY="};
    Ran r = run({init_, "--", "/usr/bin/env"}, {}, &env);
    EXPECT_EQ(code(r.status), 0);
    EXPECT_EQ(r.out, "FOO=bar baz\nPATH=/usr/bin:/bin\nEMPTY=\n");
    // The command is looked up in the PATH it was given.
    env = {"PATH=/nonexistent"};
    r = run({init_, "--", "true"}, {}, &env);
    EXPECT_EQ(code(r.status), 127);
}

TEST_F(InitTest, SignalDispositionsAndMaskAreClean) {
    // kiste-init blocks everything itself; the command must start unblocked
    // with default dispositions even when kiste-init inherited SIG_IGN.
    pid_t pid = ::fork();
    if (pid == 0) {
        ::signal(SIGTERM, SIG_IGN);
        ::signal(SIGPIPE, SIG_IGN);
        // CI's shell hands down signal 32 (glibc's own) ignored; glibc's
        // signal() refuses it, so ignore it the kernel's way.
        struct {
            void (*handler)(int);
            unsigned long flags;
            void (*restorer)();
            std::uint64_t mask;
        } ign{SIG_IGN, 0, nullptr, 0};
        ::syscall(SYS_rt_sigaction, 32, &ign, nullptr, sizeof(std::uint64_t));
        ::execl(init_.c_str(), init_.c_str(), "--", "/bin/sh", "-c",
                "grep -E '^Sig(Blk|Ign)' /proc/self/status > \"$1/sig\"", "sh", dir_.c_str(),
                nullptr);
        ::_exit(127);
    }
    auto st = wait_for(pid);
    ASSERT_TRUE(st);
    EXPECT_EQ(code(*st), 0);
    std::ifstream f(dir_ / "sig");
    std::string text((std::istreambuf_iterator<char>(f)), {});
    EXPECT_EQ(text, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

// ------------------------------------------------------------------ as PID 1
class InitPid1Test : public InitTest {
protected:
    void SetUp() override {
        InitTest::SetUp();
        if (IsSkipped()) return;
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (a new pid namespace)";
        if (!have("/usr/bin/unshare")) GTEST_SKIP() << "no unshare(1)";
    }
    std::vector<std::string> pid1(const std::string& script) {
        std::vector<std::string> v = {"/usr/bin/unshare", "--pid", "--fork", "--mount-proc"};
        auto rest = sh(script);
        v.insert(v.end(), rest.begin(), rest.end());
        return v;
    }
};

TEST_F(InitPid1Test, ExitCodesAsPid1) {
    EXPECT_EQ(code(run(pid1("exit 3")).status), 3);
    Ran r = run(pid1("echo $$ $PPID"));
    EXPECT_EQ(r.out, "2 1\n");
    // unshare re-raises the signal that killed its child: here none did,
    // kiste-init turned SIGTERM into 143.
    EXPECT_EQ(code(run(pid1("kill -TERM $$")).status), 143);
}

TEST_F(InitPid1Test, ReapsZombiesAsPid1) {
    const std::string script = R"SH(
        ( sh -c 'echo $$ > "$1/pid"; sleep 0.2; cut -d" " -f4 /proc/$$/stat > "$1/ppid"' x "$1" & )
        sleep 1
        z=$(grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | wc -l)
        echo "zombies=$z"
    )SH";
    Ran r = run(pid1(script));
    EXPECT_EQ(code(r.status), 0) << r.err;
    EXPECT_EQ(r.out, "zombies=0\n");
    std::ifstream f(dir_ / "ppid");
    int ppid = 0;
    f >> ppid;
    EXPECT_EQ(ppid, 1);
}

TEST_F(InitPid1Test, StopsEveryProcessOfTheNamespace) {
    // One background process takes SIGTERM, one ignores it (SIGKILL after 1 s).
    // The script ends only once the second one ignores SIGTERM (under load
    // the SIGTERM could otherwise come before its trap).
    Ran r =
        run(pid1("sleep 60 & (trap '' TERM; : > \"$1/ignoring\"; exec sleep 61) & "
                 "while [ ! -e \"$1/ignoring\" ]; do sleep 0.01; done; exit 7"));
    EXPECT_EQ(code(r.status), 7);
    EXPECT_GE(r.seconds, 0.9);
    EXPECT_LT(r.seconds, 5.0);
}

TEST_F(InitPid1Test, ForwardsSignalsFromOutsideTheNamespace) {
    Proc p = spawn(pid1("trap 'exit 42' USR1; echo ready; while :; do sleep 0.05; done"));
    std::string out;
    ASSERT_TRUE(read_until(p.out, "ready", out));
    // unshare's only child is kiste-init (PID 1 inside).
    std::ifstream kids("/proc/" + std::to_string(p.pid) + "/task/" + std::to_string(p.pid) +
                       "/children");
    pid_t init = 0;
    kids >> init;
    ASSERT_GT(init, 0);
    ASSERT_EQ(::kill(init, SIGUSR1), 0);
    auto st = wait_for(p.pid);
    ASSERT_TRUE(st);
    EXPECT_EQ(code(*st), 42);
    ::close(p.out);
    ::close(p.err);
}

}  // namespace
