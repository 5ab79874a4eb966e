// kiste-init on a terminal: the command ends up in the foreground process
// group of its controlling terminal, so an interactive shell gets job
// control, and ^C typed on the terminal reaches it.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Reports the shell's own pid, process group, session, tty and the tty's
// foreground group (fields 1, 5, 6, 7, 8 of /proc/PID/stat).
constexpr const char* kReport =
    "read -r pid comm state ppid pgrp sid tty tpgid rest < /proc/$$/stat; "
    "echo \"pid=$pid pgrp=$pgrp sid=$sid tty=$tty tpgid=$tpgid\"";

struct Pty {
    int master = -1;
    std::string slave;
};

Pty open_pty() {
    Pty p;
    p.master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p.master < 0 || ::grantpt(p.master) < 0 || ::unlockpt(p.master) < 0) return {};
    char name[128];
    if (::ptsname_r(p.master, name, sizeof name) != 0) return {};
    p.slave = name;
    return p;
}

// Reads from the master until `what` appears, the slave side is gone, or time runs out.
std::string read_master(int master, const std::string& what, std::chrono::seconds limit) {
    std::string acc;
    const auto end = Clock::now() + limit;
    char buf[4096];
    while (Clock::now() < end && (what.empty() || acc.find(what) == std::string::npos)) {
        pollfd pfd{master, POLLIN, 0};
        if (::poll(&pfd, 1, 100) <= 0) continue;
        ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0) break;  // EIO: every slave fd is closed
        acc.append(buf, static_cast<size_t>(n));
    }
    return acc;
}

int wait_code(pid_t pid) {
    const auto end = Clock::now() + std::chrono::seconds(20);
    int st = 0;
    while (::waitpid(pid, &st, WNOHANG) == 0) {
        if (Clock::now() > end) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &st, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

// Starts kiste-init in a new session. `make_ctty`: the slave becomes the
// controlling terminal of that session before kiste-init runs (the console
// case); otherwise it is only its stdio (a fresh pty nobody owns yet).
pid_t start(const std::string& init, const Pty& pty, bool make_ctty, const std::string& script) {
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setsid();
        int fd = ::open(pty.slave.c_str(), O_RDWR | (make_ctty ? 0 : O_NOCTTY));
        if (fd < 0) ::_exit(120);
        if (make_ctty && ::ioctl(fd, TIOCSCTTY, 0) < 0) ::_exit(121);
        ::dup2(fd, 0);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        if (fd > 2) ::close(fd);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execl(init.c_str(), init.c_str(), "--", "/bin/sh", "-c", script.c_str(), nullptr);
        ::_exit(127);
    }
    return pid;
}

struct Report {
    long pid = 0, pgrp = 0, sid = 0, tty = 0, tpgid = 0;
};

bool parse(const std::string& text, Report& r) {
    auto at = text.find("pid=");
    if (at == std::string::npos) return false;
    std::istringstream in(text.substr(at));
    std::string tok;
    int got = 0;
    while (in >> tok) {
        auto eq = tok.find('=');
        if (eq == std::string::npos) continue;
        long v = std::atol(tok.c_str() + eq + 1);
        std::string k = tok.substr(0, eq);
        if (k == "pid") r.pid = v, ++got;
        if (k == "pgrp") r.pgrp = v, ++got;
        if (k == "sid") r.sid = v, ++got;
        if (k == "tty") r.tty = v, ++got;
        if (k == "tpgid") r.tpgid = v, ++got;
    }
    return got == 5;
}

class InitTty : public ::testing::Test {
protected:
    void SetUp() override {
        init_ = (fs::path(KISTE_BINARY).parent_path() / "kiste-init").string();
        if (::access(init_.c_str(), X_OK) != 0) GTEST_SKIP() << init_ << " was not built";
        pty_ = open_pty();
        if (pty_.master < 0) GTEST_SKIP() << "no ptys here";
    }
    void TearDown() override {
        if (pty_.master >= 0) ::close(pty_.master);
    }
    std::string init_;
    Pty pty_;
};

TEST_F(InitTty, FreshPtyBecomesTheCommandsControllingTerminal) {
    pid_t pid = start(init_, pty_, false, kReport);
    std::string out = read_master(pty_.master, "", std::chrono::seconds(10));
    EXPECT_EQ(wait_code(pid), 0) << out;
    Report r;
    ASSERT_TRUE(parse(out, r)) << out;
    EXPECT_EQ(r.sid, r.pid) << "the command leads its own session";
    EXPECT_NE(r.tty, 0) << "it has a controlling terminal";
    EXPECT_EQ(r.tpgid, r.pgrp) << "and is its foreground process group";
}

TEST_F(InitTty, SharedControllingTerminalKeepsTheCommandInTheForegroundJob) {
    pid_t pid = start(init_, pty_, true, kReport);
    std::string out = read_master(pty_.master, "", std::chrono::seconds(10));
    EXPECT_EQ(wait_code(pid), 0) << out;
    Report r;
    ASSERT_TRUE(parse(out, r)) << out;
    EXPECT_EQ(r.sid, pid) << "the command stays in kiste-init's session";
    EXPECT_NE(r.tty, 0);
    EXPECT_EQ(r.tpgid, r.pgrp) << "in the foreground process group";
}

void interrupt_test(const std::string& init, const Pty& pty, bool make_ctty) {
    pid_t pid = start(init, pty, make_ctty,
                      "trap 'echo got-int; exit 9' INT; echo ready; while :; do sleep 0.05; done");
    std::string out = read_master(pty.master, "ready", std::chrono::seconds(10));
    ASSERT_NE(out.find("ready"), std::string::npos) << out;
    const char intr = 0x03;  // ^C with the default termios
    ASSERT_EQ(::write(pty.master, &intr, 1), 1);
    out += read_master(pty.master, "got-int", std::chrono::seconds(10));
    EXPECT_EQ(wait_code(pid), 9) << out;
    EXPECT_NE(out.find("got-int"), std::string::npos) << out;
}

TEST_F(InitTty, CtrlCReachesTheCommandOnAFreshPty) {
    interrupt_test(init_, pty_, false);
}

TEST_F(InitTty, CtrlCReachesTheCommandOnASharedTerminal) {
    interrupt_test(init_, pty_, true);
}

}  // namespace
