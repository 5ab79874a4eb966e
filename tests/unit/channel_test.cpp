// The launch channel (src/runtime/channel.hpp) between a parent and a forked
// peer: the protocol steps in order, errors with their errno, log lines, and
// a peer that dies with or without a word.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "base/log.hpp"
#include "base/unique_fd.hpp"
#include "runtime/channel.hpp"

namespace kiste::runtime {
namespace {

// A forked peer running `body` on the child end; the parent keeps its end
// and a pidfd of the peer.
struct Peer {
    Channel parent;
    UniqueFd pidfd;
    pid_t pid = -1;

    explicit Peer(const std::function<void(Channel&)>& body) {
        auto pair = Channel::make_pair();
        EXPECT_TRUE(pair) << pair.error().message();
        auto [p, c] = std::move(*pair);
        pid = ::fork();
        if (pid == 0) {
            p.close();
            body(c);
            ::_exit(0);
        }
        c.close();
        parent = std::move(p);
        pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    }
    ~Peer() {
        if (pid > 0) ::waitpid(pid, nullptr, 0);
    }
    Peer(const Peer&) = delete;
    Peer& operator=(const Peer&) = delete;
};

TEST(Channel, TheStepsInOrder) {
    Peer peer([](Channel& c) {
        if (!c.wait_mapped()) ::_exit(1);
        if (!c.wait_cgroups()) ::_exit(2);
        if (!c.send_ready()) ::_exit(3);
        if (!c.wait_go()) ::_exit(4);
        // The exec: the end closes.
    });
    Logger log;
    ASSERT_TRUE(peer.parent.send_mapped());
    ASSERT_TRUE(peer.parent.send_cgroups());
    auto ready = peer.parent.wait_ready(peer.pidfd.get(), log);
    ASSERT_TRUE(ready) << ready.error().message();
    ASSERT_TRUE(peer.parent.send_go());
    EXPECT_TRUE(peer.parent.wait_exec(peer.pidfd.get(), log));
    int status = 0;
    ASSERT_EQ(::waitpid(peer.pid, &status, 0), peer.pid);
    peer.pid = -1;
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Channel, CgroupsCarryFdsThatArriveCloseOnExec) {
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    UniqueFd read_end(p[0]), write_end(p[1]);
    Peer peer([](Channel& c) {
        auto fds = c.wait_cgroups();
        if (!fds || fds->size() != 2) ::_exit(1);
        for (const auto& fd : *fds) {
            if ((::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC) == 0) ::_exit(2);
            if (::write(fd.get(), "0", 1) != 1) ::_exit(3);
        }
        ::_exit(0);
    });
    // The same pipe end twice: two fds arrive, two writes.
    ASSERT_TRUE(peer.parent.send_cgroups({write_end.get(), write_end.get()}));
    write_end = UniqueFd();
    int status = 0;
    ASSERT_EQ(::waitpid(peer.pid, &status, 0), peer.pid);
    peer.pid = -1;
    EXPECT_EQ(WEXITSTATUS(status), 0);
    char buf[4] = {};
    EXPECT_EQ(::read(read_end.get(), buf, sizeof buf), 2);
    EXPECT_EQ(std::string(buf, 2), "00");
}

TEST(Channel, AnErrorArrivesWithItsMessageAndErrno) {
    Peer peer([](Channel& c) {
        (void)c.wait_mapped();
        c.send_error(Error(ENOENT, "mounting /does/not/exist"));
        ::_exit(126);
    });
    Logger log;
    ASSERT_TRUE(peer.parent.send_mapped());
    auto st = peer.parent.wait_ready(peer.pidfd.get(), log);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), ENOENT);
    EXPECT_NE(st.error().message().find("mounting /does/not/exist"), std::string::npos)
        << st.error().message();
}

TEST(Channel, AnErrorSurvivesAMessageThePeerNeverRead) {
    // The peer fails and exits while our next message is on its way: the
    // kernel resets the connection, and the error must still come through.
    Peer peer([](Channel& c) {
        (void)c.wait_mapped();
        c.send_error(Error(EACCES, "setting up the rootfs"));
        ::usleep(50 * 1000);  // let the parent's CGROUPS land unread
        ::_exit(126);
    });
    Logger log;
    ASSERT_TRUE(peer.parent.send_mapped());
    ASSERT_TRUE(peer.parent.send_cgroups());
    int status = 0;
    ASSERT_EQ(::waitpid(peer.pid, &status, 0), peer.pid);
    peer.pid = -1;
    auto st = peer.parent.wait_ready(peer.pidfd.get(), log);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), EACCES) << st.error().message();
    EXPECT_NE(st.error().message().find("setting up the rootfs"), std::string::npos);
}

TEST(Channel, ASilentDeathIsAnErrorNotAHang) {
    Peer peer([](Channel&) { ::_exit(9); });
    Logger log;
    auto st = peer.parent.wait_ready(peer.pidfd.get(), log);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("without a message"), std::string::npos)
        << st.error().message();
}

TEST(Channel, LogLinesGoToTheParentsLogger) {
    char path[] = "/tmp/kiste-channel-log-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    Peer peer([](Channel& c) {
        c.send_log(LogLevel::Warn, "from the child");
        (void)c.send_ready();
    });
    Logger log(LogLevel::Error);  // nothing on stderr
    ASSERT_TRUE(log.open_file(path));
    log.set_file_level(LogLevel::Debug);
    ASSERT_TRUE(peer.parent.wait_ready(peer.pidfd.get(), log));
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("from the child"), std::string::npos) << text.str();
    std::remove(path);
}

TEST(Channel, AStepOutOfOrderIsRefused) {
    Peer peer([](Channel& c) {
        auto st = c.wait_mapped();  // gets GO instead
        ::_exit(st ? 0 : 7);
    });
    ASSERT_TRUE(peer.parent.send_go());
    int status = 0;
    ASSERT_EQ(::waitpid(peer.pid, &status, 0), peer.pid);
    peer.pid = -1;
    EXPECT_EQ(WEXITSTATUS(status), 7);
}

}  // namespace
}  // namespace kiste::runtime
