// The container lifecycle driven by a third face (no root, no namespaces):
// a launcher that forks a plain process, which waits at the exec gate and
// then executes its command. One process creates the container and exits;
// another starts it; this test (the subreaper of both) watches the states.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/child_guard.hpp"
#include "base/process.hpp"
#include "lifecycle/container.hpp"

namespace kiste::lifecycle {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Forks the command as it is, with no namespace and no cgroup: what the
// lifecycle needs of a launcher is a process that waits at the gate.
class PlainLauncher final : public Launcher {
public:
    // Dies with SIGKILL inside launch(), as a create killed half way would.
    bool die_while_launching = false;

    Result<ChildGuard> launch(const ContainerSpec& spec, const runtime::LaunchOptions& opt,
                              Logger&) override {
        if (die_while_launching) ::kill(::getpid(), SIGKILL);
        std::vector<char*> argv;
        for (const auto& a : spec.process.args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        const pid_t pid = ::fork();
        if (pid < 0) return fail_errno("fork");
        if (pid == 0) {
            if (opt.exec_gate_fd >= 0) {
                char go = 0;
                while (::read(opt.exec_gate_fd, &go, 1) < 0 && errno == EINTR) {
                }
                ::close(opt.exec_gate_fd);
            }
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        auto pidfd = pidfd_open(pid);
        if (!pidfd) return fail(pidfd.error());
        return ChildGuard(pid, std::move(*pidfd));
    }
};

class Lifecycle : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-lifecycle-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        if (const char* old = std::getenv("KISTE_RUN_DIR")) old_env_ = old;
        ::setenv("KISTE_RUN_DIR", (dir_ + "/run").c_str(), 1);
        // The creator exits before its container's init: that init is ours to reap.
        ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    }
    void TearDown() override {
        if (auto r = state::read_state(paths_); r && *r) {
            if ((*r)->init_pid > 0 && (*r)->init().alive()) ::kill((*r)->init_pid, SIGKILL);
            ::waitpid((*r)->init_pid, nullptr, 0);
        }
        ::prctl(PR_SET_CHILD_SUBREAPER, 0);
        if (old_env_)
            ::setenv("KISTE_RUN_DIR", old_env_->c_str(), 1);
        else
            ::unsetenv("KISTE_RUN_DIR");
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // Runs `fn` in a forked process, which then exits; its exit code.
    template <class F>
    static int in_another_process(F fn) {
        const pid_t pid = ::fork();
        if (pid == 0) ::_exit(fn());
        int status = 0;
        ::waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    ContainerSpec spec(const std::string& script) const {
        ContainerSpec s;
        s.name = paths_.name;
        s.process.args = {"/bin/sh", "-c", script};
        return s;
    }

    static bool eventually(const std::function<bool()>& ok) {
        for (int i = 0; i < 500; ++i) {
            if (ok()) return true;
            std::this_thread::sleep_for(10ms);
        }
        return ok();
    }

    std::string dir_;
    std::optional<std::string> old_env_;
    state::ContainerPaths paths_{"/tmp/kiste-lifecycle-test-path", "box"};
};

TEST_F(Lifecycle, CreatedByOneProcessStartedByAnother) {
    const std::string out = dir_ + "/out", hold = dir_ + "/hold";
    ASSERT_EQ(::mkfifo(hold.c_str(), 0600), 0);
    const ContainerSpec s = spec("echo started > " + out + "; read line < " + hold);
    Logger log(LogLevel::Fatal);

    ASSERT_EQ(in_another_process([&] {
                  PlainLauncher launcher;
                  auto st = create(paths_, s, launcher, log);
                  if (!st) std::fprintf(stderr, "create: %s\n", st.error().message().c_str());
                  return st ? 0 : 1;
              }),
              0);
    // The creator is gone; the container lives on its record, its init at the gate.
    auto seen = state::observe(paths_);
    EXPECT_EQ(seen.state, state::State::Created);
    ASSERT_TRUE(seen.recorded);
    EXPECT_EQ(seen.recorded->owner_pid, 0);
    EXPECT_TRUE(seen.recorded->init().alive());
    EXPECT_TRUE(fs::exists(paths_.exec_fifo()));
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(fs::exists(out)) << "the command ran before start";
    EXPECT_FALSE(start(state::ContainerPaths{paths_.lxcpath, "other"}));

    ASSERT_EQ(in_another_process([&] {
                  auto st = start(paths_);
                  if (!st) std::fprintf(stderr, "start: %s\n", st.error().message().c_str());
                  return st ? 0 : 1;
              }),
              0);
    ASSERT_TRUE(eventually([&] {
        std::ifstream f(out);
        std::string line;
        return std::getline(f, line) && line == "started";
    }));
    EXPECT_EQ(state::observe(paths_).state, state::State::Running);
    EXPECT_FALSE(fs::exists(paths_.exec_fifo()));
    EXPECT_FALSE(start(paths_)) << "a running container cannot start again";
    EXPECT_FALSE(remove(paths_, false, log)) << "a running container is not deleted";

    // The command ends: STOPPED, and the record stays until delete.
    { std::ofstream(hold) << "go\n"; }
    ASSERT_EQ(::waitpid(seen.recorded->init_pid, nullptr, 0), seen.recorded->init_pid);
    EXPECT_EQ(state::observe(paths_).state, state::State::Stopped);
    EXPECT_TRUE(fs::exists(paths_.state_file()));
    ASSERT_TRUE(remove(paths_, false, log));
    EXPECT_FALSE(fs::exists(paths_.state_file()));
    EXPECT_FALSE(fs::exists(paths_.run_dir()));
}

TEST_F(Lifecycle, KillAndForcedDeleteOfACreatedContainer) {
    Logger log(LogLevel::Fatal);
    ASSERT_EQ(in_another_process([&] {
                  PlainLauncher launcher;
                  return create(paths_, spec("exit 0"), launcher, log) ? 0 : 1;
              }),
              0);
    const pid_t init = (*state::read_state(paths_))->init_pid;
    EXPECT_EQ(state::observe(paths_).state, state::State::Created);
    // A second create of the name is refused.
    PlainLauncher launcher;
    EXPECT_FALSE(create(paths_, spec("exit 0"), launcher, log));
    EXPECT_FALSE(remove(paths_, false, log)) << "a created container is deleted only by force";

    ASSERT_TRUE(kill(paths_, SIGKILL));
    int status = 0;
    ASSERT_EQ(::waitpid(init, &status, 0), init);
    EXPECT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(state::observe(paths_).state, state::State::Stopped);
    EXPECT_FALSE(start(paths_)) << "its init is gone";
    EXPECT_FALSE(kill(paths_, SIGTERM));
    ASSERT_TRUE(remove(paths_, true, log));
    EXPECT_FALSE(fs::exists(paths_.run_dir()));
}

TEST_F(Lifecycle, ACreateKilledHalfWayLeavesADeadRecordThatCleanupRemoves) {
    Logger log(LogLevel::Fatal);
    EXPECT_EQ(in_another_process([&] {
                  PlainLauncher launcher;
                  launcher.die_while_launching = true;
                  return create(paths_, spec("exit 0"), launcher, log) ? 0 : 1;
              }),
              128 + SIGKILL);
    auto seen = state::observe(paths_);
    EXPECT_EQ(seen.state, state::State::Stopped);
    EXPECT_TRUE(seen.stale);
    ASSERT_TRUE(fs::exists(paths_.exec_fifo()));
    ASSERT_TRUE(cleanup(paths_, log));
    EXPECT_FALSE(fs::exists(paths_.run_dir()));
    // The name is free again.
    ASSERT_EQ(in_another_process([&] {
                  PlainLauncher launcher;
                  return create(paths_, spec("exit 0"), launcher, log) ? 0 : 1;
              }),
              0);
    EXPECT_EQ(state::observe(paths_).state, state::State::Created);
    EXPECT_EQ(recorded_names(paths_.lxcpath), std::vector<std::string>{"box"});
    auto removed = remove(paths_, true, log);
    ASSERT_TRUE(removed) << removed.error().message();
}

TEST_F(Lifecycle, SweepRemovesOnlyDeadRecords) {
    Logger log(LogLevel::Fatal);
    const state::ContainerPaths dead{paths_.lxcpath, "dead"};
    OwnedRun run;
    ASSERT_TRUE(run.begin(dead, state::Face::Execute, {}));
    // Owned by a process that is gone.
    const pid_t gone = ::fork();
    if (gone == 0) ::_exit(0);
    run.record().owner_pid = gone;
    run.record().owner_start_time = process_start_time(gone);
    ::waitpid(gone, nullptr, 0);
    ASSERT_TRUE(run.save());
    OwnedRun live;
    ASSERT_TRUE(live.begin(paths_, state::Face::Execute, {}));
    sweep(paths_.lxcpath, "", log);
    EXPECT_FALSE(fs::exists(dead.run_dir()));
    EXPECT_TRUE(fs::exists(paths_.state_file()));
    EXPECT_EQ(state::observe(paths_).state, state::State::Starting);
    live.remove_files();
    EXPECT_FALSE(fs::exists(paths_.run_dir()));
}

}  // namespace
}  // namespace kiste::lifecycle
