// System containers under their monitor: start, state, console, stop, and
// the truth after crashes. Root only.
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class System : public ::testing::Test {
protected:
    void SetUp() override { KISTE_REQUIRE_ROOT(); }
    void TearDown() override {
        if (::geteuid() != 0) return;
        for (const auto& n : created_) kiste({"stop", "-k", n});
        // Nothing of a run is left: no runtime files, no mounts, no cgroups.
        for (const auto& e : fs::recursive_directory_iterator(run_dir_.path()))
            ADD_FAILURE() << "left in the run dir: " << e.path();
        EXPECT_TRUE(mounts_matching(lxcpath_.path()).empty());
        // On a pure v2 host the one hierarchy is /sys/fs/cgroup itself.
        const bool v2 = fs::exists("/sys/fs/cgroup/cgroup.controllers");
        const std::vector<std::string> hierarchies =
            v2 ? std::vector<std::string>{""}
               : std::vector<std::string>{"memory", "pids", "freezer", "systemd", "unified"};
        for (const auto& n : created_)
            for (const auto& h : hierarchies)
                EXPECT_TRUE(run({"/bin/sh", "-c",
                                 std::string("find /sys/fs/cgroup/") + h + " -type d -name " + n +
                                     " | grep -q ."})
                                .code != 0)
                    << "cgroup of " << n << " left in " << h;
    }

    RunResult kiste(const std::vector<std::string>& args, const std::string& input = {}) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, input, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }

    // A busybox container made with the template script (independent of `kiste create`).
    void make_container(const std::string& name, const std::string& extra_config = {}) {
        std::string dir = lxcpath_.path() + "/" + name;
        fs::create_directories(dir);
        write_file(dir + "/config", extra_config);
        auto r = run({std::string(KISTE_SOURCE_DIR) + "/templates/busybox", "--path", dir, "--name",
                      name, "--rootfs", dir + "/rootfs", "--ttys", "2"});
        ASSERT_EQ(r.code, 0) << r.err;
        created_.push_back(name);
    }

    std::string state_of(const std::string& name) {
        auto r = kiste({"info", "-s", name});
        return r.out.empty() ? r.err : r.out.substr(0, r.out.size() - 1);
    }

    TempDir lxcpath_;
    TempDir run_dir_;
    std::vector<std::string> created_;
};

TEST_F(System, BusyboxLifecycle) {
    make_container("bb1");
    auto r = kiste({"start", "bb1"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(state_of("bb1"), "RUNNING");
    EXPECT_EQ(kiste({"ls", "--running"}).out, "bb1\n");

    auto info = kiste({"info", "--format", "json", "bb1"});
    ASSERT_EQ(info.code, 0) << info.err;
    EXPECT_NE(info.out.find("\"state\": \"RUNNING\""), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("\"monitor_pid\""), std::string::npos);

    // Frozen is seen by every command, and thawing gives RUNNING back.
    ASSERT_EQ(kiste({"freeze", "bb1"}).code, 0);
    EXPECT_EQ(state_of("bb1"), "FROZEN");
    EXPECT_EQ(kiste({"ls", "--frozen"}).out, "bb1\n");
    ASSERT_EQ(kiste({"unfreeze", "bb1"}).code, 0);
    EXPECT_EQ(state_of("bb1"), "RUNNING");

    // A clean halt through busybox init's halt signal, within a couple of seconds.
    auto t0 = std::chrono::steady_clock::now();
    r = kiste({"stop", "bb1"});
    auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_EQ(r.code, 0) << r.err;
    // busybox init: SIGTERM to all, 1 s, SIGKILL, 1 s. An emulated guest
    // (the v2 suite under tests/vm) runs several times slower.
    EXPECT_LT(took, std::getenv("KISTE_TEST_REQUIRE_V2") != nullptr ? 10s : 3s);
    EXPECT_EQ(state_of("bb1"), "STOPPED");
}

TEST_F(System, StoppingAFrozenContainerThawsItFirst) {
    make_container("bbf");
    ASSERT_EQ(kiste({"start", "bbf"}).code, 0);
    ASSERT_EQ(kiste({"freeze", "bbf"}).code, 0);
    auto t0 = std::chrono::steady_clock::now();
    auto r = kiste({"stop", "-t", "10", "bbf"});
    ASSERT_EQ(r.code, 0) << r.err;
    // The halt signal worked: no wait for the SIGKILL timeout.
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
    EXPECT_EQ(state_of("bbf"), "STOPPED");
}

TEST_F(System, StartTwiceIsRefusedAndStartFailsCleanly) {
    make_container("bb2");
    ASSERT_EQ(kiste({"start", "bb2"}).code, 0);
    auto again = kiste({"start", "bb2"});
    EXPECT_EQ(again.code, 0);  // as lxc-start: it runs, with a message
    EXPECT_NE(again.err.find("already RUNNING"), std::string::npos) << again.err;
    EXPECT_EQ(kiste({"stop", "-k", "bb2"}).code, 0);

    // A broken init fails the start with the reason, and leaves nothing.
    auto bad = kiste({"start", "-s", "lxc.init.cmd=/no/such/init", "bb2"});
    EXPECT_NE(bad.code, 0);
    EXPECT_NE(bad.err.find("/no/such/init"), std::string::npos) << bad.err;
    EXPECT_EQ(state_of("bb2"), "STOPPED");
}

TEST_F(System, ConsoleThroughAPty) {
    make_container("bb3");
    ASSERT_EQ(kiste({"start", "bb3"}).code, 0);
    int master = -1;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid == 0) {
        ::setenv("KISTE_RUN_DIR", run_dir_.path().c_str(), 1);
        ::execl(kiste_binary().c_str(), "kiste", "-P", lxcpath_.path().c_str(), "console", "bb3",
                "-t", "1", nullptr);
        ::_exit(127);
    }
    std::string seen;
    auto read_until = [&](const std::string& want, std::chrono::milliseconds limit) {
        auto end = std::chrono::steady_clock::now() + limit;
        while (seen.find(want) == std::string::npos && std::chrono::steady_clock::now() < end) {
            pollfd p{master, POLLIN, 0};
            if (::poll(&p, 1, 50) > 0) {
                char buf[1024];
                ssize_t n = ::read(master, buf, sizeof buf);
                if (n > 0) seen.append(buf, static_cast<size_t>(n));
            }
        }
        return seen.find(want) != std::string::npos;
    };
    // busybox init asks first on each tty.
    ASSERT_TRUE(read_until("Connected", 5s)) << seen;
    (void)!::write(master, "\r", 1);
    EXPECT_TRUE(read_until("#", 5s)) << seen;
    (void)!::write(master, "echo con$((6*7))sole\r", 21);
    EXPECT_TRUE(read_until("con42sole", 5s)) << seen;
    (void)!::write(master, "\x01q", 2);  // Ctrl-a q detaches
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid, &status, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(20ms);
    EXPECT_TRUE(WIFEXITED(status)) << seen;
    ::close(master);
    EXPECT_EQ(state_of("bb3"), "RUNNING");  // detaching leaves it running
    EXPECT_EQ(kiste({"stop", "bb3"}).code, 0);
}

TEST_F(System, KillingTheMonitorIsSeenAndCleanedUp) {
    make_container("bb4");
    ASSERT_EQ(kiste({"start", "bb4"}).code, 0);
    auto info = kiste({"info", "--format", "json", "bb4"});
    const pid_t monitor = monitor_pid_in(info.out);
    ASSERT_GT(monitor, 1) << info.out;
    ::kill(monitor, SIGKILL);
    std::this_thread::sleep_for(1s);
    EXPECT_EQ(state_of("bb4"), "STOPPED");
    EXPECT_EQ(kiste({"stop", "bb4"}).code, 0);  // cleans what the monitor left
}

TEST_F(System, KillingInitStopsTheContainer) {
    make_container("bb5");
    ASSERT_EQ(kiste({"start", "bb5"}).code, 0);
    pid_t init = std::stoi(kiste({"info", "-p", "bb5"}).out);
    ASSERT_GT(init, 1);
    ::kill(init, SIGKILL);
    std::this_thread::sleep_for(1s);
    EXPECT_EQ(state_of("bb5"), "STOPPED");
}

TEST_F(System, RebootFromInsideRestarts) {
    make_container("bb6");
    ASSERT_EQ(kiste({"start", "bb6"}).code, 0);
    pid_t before = std::stoi(kiste({"info", "-p", "bb6"}).out);
    ASSERT_EQ(kiste({"stop", "-r", "bb6"}).code, 0);
    pid_t after = before;
    for (int i = 0; i < 100 && (after == before || after == 0); ++i) {
        std::this_thread::sleep_for(50ms);
        auto out = kiste({"info", "-p", "bb6"}).out;
        after = out.empty() ? 0 : std::stoi(out);
    }
    EXPECT_NE(after, before);
    EXPECT_EQ(state_of("bb6"), "RUNNING");
}

TEST_F(System, FiftyConcurrentContainers) {
    constexpr int kCount = 50;
    for (int i = 0; i < kCount; ++i) make_container("many" + std::to_string(i));
    std::vector<std::thread> threads;
    std::vector<int> codes(kCount, -1);
    for (int i = 0; i < kCount; ++i)
        threads.emplace_back([&, i] {
            codes[static_cast<size_t>(i)] = kiste({"start", "many" + std::to_string(i)}).code;
        });
    for (auto& t : threads) t.join();
    for (int i = 0; i < kCount; ++i) EXPECT_EQ(codes[static_cast<size_t>(i)], 0) << i;
    auto ls = kiste({"ls", "--running"});
    EXPECT_EQ(std::count(ls.out.begin(), ls.out.end(), '\n'), kCount) << ls.out;
    threads.clear();
    for (int i = 0; i < kCount; ++i)
        threads.emplace_back([&, i] {
            codes[static_cast<size_t>(i)] = kiste({"stop", "many" + std::to_string(i)}).code;
        });
    for (auto& t : threads) t.join();
    for (int i = 0; i < kCount; ++i) EXPECT_EQ(codes[static_cast<size_t>(i)], 0) << i;
    EXPECT_EQ(kiste({"ls", "--running"}).out, "");
}

}  // namespace
}  // namespace kiste::test
