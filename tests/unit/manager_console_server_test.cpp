// The console side of the monitor socket (ConsoleServer), and the ttys a
// `kiste execute` serves with it (ExecuteTtys): real ptys and a real unix
// socket in a temp dir, no root needed.
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>

#include "manager/console_server.hpp"
#include "manager/execute_ttys.hpp"
#include "manager/protocol.hpp"

namespace kiste::manager {
namespace {

namespace fs = std::filesystem;

class ConsoleServing : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-console-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ::setenv("KISTE_RUN_DIR", (dir_ + "/run").c_str(), 1);
    }
    void TearDown() override {
        ::unsetenv("KISTE_RUN_DIR");
        fs::remove_all(dir_);
    }

    // One round of the owner's poll loop over what `add` appends.
    template <class Add, class Handle>
    static void serve_once(Add add, Handle handle) {
        std::vector<pollfd> fds;
        add(fds);
        ASSERT_GE(::poll(fds.data(), fds.size(), 2000), 0);
        handle(std::span<const pollfd>(fds));
    }

    // The next packet on `fd`, or a Failure packet saying that none came.
    static proto::Packet next(int fd) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 2000) <= 0) return {proto::Failure, "(nothing came)"};
        auto r = proto::receive(fd);
        if (!r || !*r) return {proto::Failure, "(closed)"};
        return **r;
    }

    std::string dir_;
};

TEST_F(ConsoleServing, AttachesToATtyAndTradesDataBothWays) {
    std::vector<Pty> ptys;
    ptys.emplace_back().name = "console";  // kept elsewhere: no master
    auto tty1 = open_pty("tty1");
    ASSERT_TRUE(tty1) << tty1.error().message();
    ptys.push_back(std::move(*tty1));
    const std::string path = dir_ + "/s.sock";
    auto listen = proto::listen_at(path);
    ASSERT_TRUE(listen) << listen.error().message();
    std::vector<std::string> others;
    ConsoleServer server(
        "box", ptys, *listen,
        [&](ConsoleClient& c, const std::string& req) {
            others.push_back(req);
            (void)proto::send(c.fd.get(), proto::Failure, "not here");
        },
        "it is elsewhere");
    auto round = [&] {
        serve_once([&](auto& f) { server.add_poll_fds(f); }, [&](auto f) { server.handle(f); });
    };

    auto client = proto::connect_to(path);
    ASSERT_TRUE(client);
    const int fd = client->get();
    round();  // accept
    ASSERT_EQ(server.clients().size(), 1u);

    ASSERT_TRUE(proto::send(fd, proto::Request, "console 0"));
    round();
    auto p = next(fd);
    EXPECT_EQ(p.kind, proto::Failure);
    EXPECT_NE(p.payload.find("it is elsewhere"), std::string::npos) << p.payload;
    EXPECT_NE(p.payload.find("-t 1..1"), std::string::npos) << p.payload;

    ASSERT_TRUE(proto::send(fd, proto::Request, "console 2"));
    round();
    p = next(fd);
    EXPECT_EQ(p.kind, proto::Failure);
    EXPECT_NE(p.payload.find("no tty 2 (lxc.tty.max = 1)"), std::string::npos) << p.payload;

    ASSERT_TRUE(proto::send(fd, proto::Request, "stop 1 0"));
    round();
    EXPECT_EQ(next(fd).payload, "not here");
    EXPECT_EQ(others, std::vector<std::string>{"stop 1 0"});

    ASSERT_TRUE(proto::send(fd, proto::Request, "console 1"));
    round();
    p = next(fd);
    EXPECT_EQ(p.kind, proto::Reply);
    EXPECT_EQ(p.payload, "ok");

    // What the container writes to its tty reaches the client.
    const int slave = ptys[1].slave.get();
    ASSERT_EQ(::write(slave, "hello\n", 6), 6);
    round();
    p = next(fd);
    EXPECT_EQ(p.kind, proto::Data);
    EXPECT_NE(p.payload.find("hello"), std::string::npos) << p.payload;

    // And the client's keystrokes reach the tty (raw mode: byte for byte).
    termios raw{};
    ASSERT_EQ(::tcgetattr(slave, &raw), 0);
    ::cfmakeraw(&raw);
    ASSERT_EQ(::tcsetattr(slave, TCSANOW, &raw), 0);
    ASSERT_TRUE(proto::send(fd, proto::Data, "keys"));
    round();
    pollfd sp{slave, POLLIN, 0};
    ASSERT_EQ(::poll(&sp, 1, 2000), 1);
    char buf[16] = {};
    EXPECT_EQ(::read(slave, buf, sizeof buf), 4);
    EXPECT_EQ(std::string(buf), "keys");

    // A client that goes is forgotten, also by its tty.
    client->reset();
    round();
    EXPECT_TRUE(server.clients().empty());
    EXPECT_TRUE(ptys[1].clients.empty());
}

TEST_F(ConsoleServing, ExecuteTtysLiveInTheRunDirectoryUntilTheEnd) {
    const state::ContainerPaths paths{state::kDefaultLxcPath, "box"};
    EXPECT_EQ(paths.run_dir(), dir_ + "/run/box");
    ASSERT_TRUE(fs::create_directories(paths.run_dir()));
    Logger log(LogLevel::Fatal);
    ExecuteTtys ttys(2, log);
    auto slaves = ttys.prepare(paths);
    ASSERT_TRUE(slaves) << slaves.error().message();
    ASSERT_EQ(slaves->size(), 2u);
    for (int fd : *slaves) EXPECT_TRUE(::isatty(fd));
    EXPECT_TRUE(fs::exists(paths.monitor_socket()));

    // `kiste console box -t 2` gets through; the console (0) is not here.
    auto client = proto::connect_to(paths.monitor_socket());
    ASSERT_TRUE(client) << client.error().message();
    auto round = [&] {
        serve_once([&](auto& f) { ttys.add_poll_fds(f); }, [&](auto f) { ttys.handle(f); });
    };
    round();
    ASSERT_TRUE(proto::send(client->get(), proto::Request, "console 2"));
    round();
    EXPECT_EQ(next(client->get()).payload, "ok");
    ASSERT_TRUE(proto::send(client->get(), proto::Request, "stop 10 0"));
    round();
    auto p = next(client->get());
    EXPECT_EQ(p.kind, proto::Failure);
    EXPECT_NE(p.payload.find("kiste execute"), std::string::npos) << p.payload;

    ttys.end();
    // The client sees the end; the socket is gone (the run directory is the
    // executor's).
    EXPECT_EQ(next(client->get()).payload, "(closed)");
    EXPECT_TRUE(fs::is_empty(paths.run_dir()));
    ttys.end();  // a second end is a no-op
}

}  // namespace
}  // namespace kiste::manager
