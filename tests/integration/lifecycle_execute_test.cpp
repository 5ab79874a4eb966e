// A `kiste execute` container is a container like a started one: its state
// record sits where `kiste start`'s does, so `kiste ls`, `info`, `attach`
// and `stop` find it; stop halts it through its init (no monitor to ask)
// and waits until the execute has cleaned up and exited.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/fail_point.hpp"
#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class LifecycleExecute : public ::testing::Test {
protected:
    void SetUp() override { KISTE_REQUIRE_ROOT(); }
    void TearDown() override {
        if (execute_ > 0) {
            ::kill(execute_, SIGKILL);
            ::waitpid(execute_, nullptr, 0);
        }
    }

    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }

    // `kiste execute -n NAME -- ARGS...` in the background.
    void start_execute(const std::string& name, const std::vector<std::string>& command) {
        std::vector<std::string> argv = {kiste_binary(), "execute", "-n", name, "--"};
        argv.insert(argv.end(), command.begin(), command.end());
        const std::string env = "KISTE_RUN_DIR=" + run_dir_.path();
        execute_ = ::fork();
        ASSERT_GE(execute_, 0);
        if (execute_ == 0) {
            ::putenv(const_cast<char*>(env.c_str()));
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(a.data());
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
    }

    // The exit status of the execute, or -1 if it did not end in time.
    int reap_execute(std::chrono::milliseconds limit) {
        for (auto waited = 0ms; waited < limit; waited += 10ms) {
            int status = 0;
            if (::waitpid(execute_, &status, WNOHANG) == execute_) {
                execute_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(10ms);
        }
        return -1;
    }

    bool running(const std::string& name) {
        auto r = kiste({"info", "-s", name});
        return r.code == 0 && r.out == "RUNNING\n";
    }

    TempDir run_dir_;
    pid_t execute_ = -1;
};

TEST_F(LifecycleExecute, ListedShownAttachedAndStopped) {
    const std::string name = "i10life-x";
    start_execute(name, {"sleep", "100"});
    for (int i = 0; i < 500 && !running(name); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(running(name));

    auto ls = kiste({"ls", "--format", "json"});
    ASSERT_EQ(ls.code, 0) << ls.err;
    auto list = nlohmann::json::parse(ls.out, nullptr, false);
    ASSERT_TRUE(list.is_array()) << ls.out;
    bool listed = false;
    for (const auto& c : list)
        if (c.value("name", "") == name) {
            listed = true;
            EXPECT_EQ(c.value("state", ""), "RUNNING");
            EXPECT_GT(c.value("pid", 0), 0);
        }
    EXPECT_TRUE(listed) << ls.out;

    auto info = kiste({"info", "--format", "json", name});
    ASSERT_EQ(info.code, 0) << info.err;
    auto j = nlohmann::json::parse(info.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << info.out;
    EXPECT_EQ(j.value("state", ""), "RUNNING");
    EXPECT_EQ(j.value("face", ""), "execute");
    EXPECT_EQ(j.value("owner_pid", 0), execute_);
    EXPECT_GE(j["pids"].value("current", 0), 2) << "kiste-init and sleep";

    auto attach = kiste({"attach", "-n", name, "--", "true"});
    EXPECT_EQ(attach.code, 0) << attach.err;
    attach = kiste({"attach", "-n", name, "--", "sh", "-c", "cat /proc/1/cmdline"});
    EXPECT_EQ(attach.code, 0) << attach.err;
    EXPECT_NE(attach.out.find("sleep"), std::string::npos) << attach.out;

    auto stop = kiste({"stop", "-n", name, "-t", "10"});
    EXPECT_EQ(stop.code, 0) << stop.err;
    // The execute has exited (its command ended on the halt signal) and
    // left nothing behind.
    const int code = reap_execute(2s);
    EXPECT_NE(code, -1) << "kiste execute still runs after stop";
    EXPECT_EQ(kiste({"info", "-s", name}).code, 1);
    EXPECT_TRUE(fs::is_empty(run_dir_.path())) << "left in the run root";
    EXPECT_EQ(run({"/bin/sh", "-c", "find /sys/fs/cgroup -type d -name " + name}).out, "");
    EXPECT_EQ(kiste({"stop", "-n", name}).code, 2) << "a second stop: not running";
}

TEST_F(LifecycleExecute, StopKillsACommandThatIgnoresTheHaltSignal) {
    const std::string name = "i10life-k";
    start_execute(name, {"sh", "-c", "trap '' TERM PWR; while :; do sleep 1; done"});
    for (int i = 0; i < 500 && !running(name); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(running(name));
    auto stop = kiste({"stop", "-n", name, "-t", "1"});
    EXPECT_EQ(stop.code, 1) << "killed after the timeout: " << stop.err;
    EXPECT_NE(reap_execute(2s), -1);
    EXPECT_TRUE(fs::is_empty(run_dir_.path()));
}

TEST_F(LifecycleExecute, AKilledExecuteIsCleanedByStop) {
    const std::string name = "i10life-d";
    start_execute(name, {"sleep", "100"});
    for (int i = 0; i < 500 && !running(name); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(running(name));
    ::kill(execute_, SIGKILL);
    EXPECT_EQ(reap_execute(2s), 128 + SIGKILL);
    EXPECT_TRUE(fs::exists(run_dir_.path() + "/" + name + "/state.json"));
    auto info = kiste({"info", "-s", name});
    EXPECT_EQ(info.out, "STOPPED\n") << info.err;
    EXPECT_EQ(kiste({"stop", "-n", name}).code, 0);
    EXPECT_TRUE(fs::is_empty(run_dir_.path()));
    EXPECT_EQ(run({"/bin/sh", "-c", "find /sys/fs/cgroup -type d -name " + name}).out, "");
}

// destroy of a container with no definition, only a run record: without -f
// it refuses a running one; with -f it stops it; a killed run's record goes
// (found by a cold try: it said "does not exist" of what ls listed).
TEST_F(LifecycleExecute, DestroyForceStopsAndCleansAnExecuteContainer) {
    const std::string name = "i10life-x2";
    start_execute(name, {"sleep", "100"});
    for (int i = 0; i < 500 && !running(name); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(running(name));
    auto refused = kiste({"destroy", "-n", name});
    EXPECT_NE(refused.code, 0);
    EXPECT_NE(refused.err.find("kiste destroy -f"), std::string::npos) << refused.err;
    EXPECT_TRUE(running(name));
    auto forced = kiste({"destroy", "-f", "-t", "2", "-n", name});
    EXPECT_EQ(forced.code, 0) << forced.err;
    EXPECT_NE(reap_execute(3s), -1);
    EXPECT_TRUE(fs::is_empty(run_dir_.path()));

    start_execute(name, {"sleep", "100"});
    for (int i = 0; i < 500 && !running(name); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(running(name));
    ::kill(execute_, SIGKILL);
    EXPECT_EQ(reap_execute(2s), 128 + SIGKILL);
    auto cleaned = kiste({"destroy", "-f", "-n", name});
    EXPECT_EQ(cleaned.code, 0) << cleaned.err;
    EXPECT_TRUE(fs::is_empty(run_dir_.path()));
    EXPECT_EQ(run({"/bin/sh", "-c", "find /sys/fs/cgroup -type d -name " + name}).out, "");
    EXPECT_NE(kiste({"destroy", "-n", name}).code, 0) << "nothing is left to destroy";
}

TEST_F(LifecycleExecute, EveryFailedStepLeavesNothing) {
    if (!fail_points_built())
        GTEST_SKIP() << "this build ignores KISTE_TEST_FAIL_AT (KISTE_FAIL_POINTS=OFF)";
    const std::string name = "i10life-f";
    for (const std::string step :
         {"execute-name-lock", "state-file", "execute-record", "execute-cgroups"}) {
        SCOPED_TRACE(step);
        auto r = run({kiste_binary(), "execute", "-n", name, "--", "/bin/true"}, {},
                     {"KISTE_RUN_DIR=" + run_dir_.path(), "KISTE_TEST_FAIL_AT=" + step});
        EXPECT_NE(r.code, 0);
        EXPECT_NE(r.err.find("injected failure at step '" + step + "'"), std::string::npos)
            << r.err;
        EXPECT_TRUE(fs::is_empty(run_dir_.path())) << "left in the run root";
        EXPECT_EQ(run({"/bin/sh", "-c", "find /sys/fs/cgroup -type d -name " + name}).out, "");
    }
    EXPECT_EQ(kiste({"execute", "-n", name, "--", "/bin/true"}).code, 0);
}

}  // namespace
}  // namespace kiste::test
