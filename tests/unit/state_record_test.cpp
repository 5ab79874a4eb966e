// The state record of a container (state/container_state.hpp): its JSON
// round trip, its atomic write, and the liveness checks that compute a
// state from it (no root needed).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/process.hpp"
#include "state/container_state.hpp"

namespace kiste::state {
namespace {

namespace fs = std::filesystem;

class StateRecord : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-state-record-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        const char* old = std::getenv("KISTE_RUN_DIR");
        if (old != nullptr) old_env_ = old;
        ::setenv("KISTE_RUN_DIR", dir_.c_str(), 1);
        fs::create_directories(paths_.run_dir());
    }
    void TearDown() override {
        if (old_env_)
            ::setenv("KISTE_RUN_DIR", old_env_->c_str(), 1);
        else
            ::unsetenv("KISTE_RUN_DIR");
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // A pid that was alive and is reaped now.
    static ProcessId dead_process() {
        const pid_t pid = ::fork();
        if (pid == 0) ::_exit(0);
        const uint64_t start = process_start_time(pid);
        ::waitpid(pid, nullptr, 0);
        return {pid, start == 0 ? 1 : start};
    }

    std::string dir_;
    std::optional<std::string> old_env_;
    ContainerPaths paths_{"/tmp/kiste-state-record-lxcpath", "box"};
};

RuntimeState sample() {
    RuntimeState s;
    s.state = State::Running;
    s.face = Face::Execute;
    s.init_pid = 4242;
    s.init_start_time = 77;
    s.owner_pid = 4241;
    s.owner_start_time = 76;
    s.created = 1700000000;
    s.cgroup_paths = {"/sys/fs/cgroup/pids/kiste.payload/box"};
    s.monitor_cgroup_paths = {"/sys/fs/cgroup/pids/kiste.monitor/box"};
    s.net.links = {"vethXYZ"};
    s.net.routes = {{*IpPrefix::parse("10.0.0.2/32"), "vethXYZ"}};
    s.ttys = {"tty1", "tty2"};
    s.config_file = "/etc/box.conf";
    s.log_file = "/var/log/box";
    s.last_exit = 3;
    return s;
}

TEST_F(StateRecord, RoundTripsEveryField) {
    const RuntimeState s = sample();
    ASSERT_TRUE(write_state(paths_, s));
    auto back = read_state(paths_);
    ASSERT_TRUE(back) << back.error().message();
    ASSERT_TRUE(*back);
    const RuntimeState& r = **back;
    EXPECT_EQ(r.state, s.state);
    EXPECT_EQ(r.face, Face::Execute);
    EXPECT_EQ(r.init(), s.init());
    EXPECT_EQ(r.owner(), s.owner());
    EXPECT_EQ(r.created, s.created);
    EXPECT_EQ(r.cgroup_paths, s.cgroup_paths);
    EXPECT_EQ(r.monitor_cgroup_paths, s.monitor_cgroup_paths);
    EXPECT_EQ(r.net, s.net);
    EXPECT_EQ(r.ttys, s.ttys);
    EXPECT_EQ(r.config_file, s.config_file);
    EXPECT_EQ(r.log_file, s.log_file);
    EXPECT_EQ(r.last_exit, 3);
}

TEST_F(StateRecord, NoRecordIsNoErrorAndGarbageIsOne) {
    auto none = read_state(paths_);
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    std::ofstream(paths_.state_file()) << "{not json";
    EXPECT_FALSE(read_state(paths_));
}

TEST_F(StateRecord, WritesByRenameAndLeavesNoTemporaryFile) {
    ASSERT_TRUE(write_state(paths_, sample()));
    struct stat first {};
    ASSERT_EQ(::stat(paths_.state_file().c_str(), &first), 0);
    // A reader holding the old record keeps reading the old one whole.
    std::ifstream old_reader(paths_.state_file());
    RuntimeState next = sample();
    next.last_exit = 9;
    ASSERT_TRUE(write_state(paths_, next));
    struct stat second {};
    ASSERT_EQ(::stat(paths_.state_file().c_str(), &second), 0);
    EXPECT_NE(first.st_ino, second.st_ino) << "the record must be replaced, not rewritten";
    EXPECT_FALSE(fs::exists(paths_.state_file() + ".tmp"));
    std::string old_text((std::istreambuf_iterator<char>(old_reader)), {});
    EXPECT_NE(old_text.find("\"last_exit\": 3"), std::string::npos) << old_text;
    EXPECT_EQ((*read_state(paths_))->last_exit, 9);
}

TEST_F(StateRecord, LivenessTakesPidAndStartTime) {
    const ProcessId me = this_process();
    EXPECT_TRUE(me.alive());
    EXPECT_GT(me.start_time, 0U);
    // The same pid with another start time: a reused pid, not the process recorded.
    EXPECT_FALSE((ProcessId{me.pid, me.start_time + 1}).alive());
    EXPECT_FALSE(dead_process().alive());
    EXPECT_FALSE(ProcessId{}.alive());
    EXPECT_TRUE(open_process(me));
    auto gone = open_process(dead_process());
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code(), ESRCH);
    EXPECT_FALSE(open_process({me.pid, me.start_time + 1}));
}

TEST_F(StateRecord, StateIsComputedFromTheProcessesItNames) {
    const ProcessId me = this_process();
    const ProcessId dead = dead_process();
    RuntimeState r = sample();
    r.cgroup_paths.clear();

    // An owner that died: its leftovers are stale, whatever the record says.
    r.owner_pid = dead.pid;
    r.owner_start_time = dead.start_time;
    r.init_pid = me.pid;
    r.init_start_time = me.start_time;
    auto o = observe_record(paths_, r);
    EXPECT_EQ(o.state, State::Stopped);
    EXPECT_TRUE(o.stale);

    // No owner (the creator exited) and a live init: RUNNING, or CREATED
    // while the exec gate exists.
    r.owner_pid = 0;
    r.owner_start_time = 0;
    o = observe_record(paths_, r);
    EXPECT_EQ(o.state, State::Running);
    EXPECT_FALSE(o.stale);
    ASSERT_EQ(::mkfifo(paths_.exec_fifo().c_str(), 0600), 0);
    EXPECT_EQ(observe_record(paths_, r).state, State::Created);
    ::unlink(paths_.exec_fifo().c_str());

    // An init whose pid was reused: it is gone.
    r.init_start_time = me.start_time + 1;
    o = observe_record(paths_, r);
    EXPECT_EQ(o.state, State::Stopped);
    EXPECT_TRUE(o.stale);

    // A live owner whose init is gone is tearing down.
    r.owner_pid = me.pid;
    r.owner_start_time = me.start_time;
    EXPECT_EQ(observe_record(paths_, r).state, State::Stopping);
    r.state = State::Starting;
    EXPECT_EQ(observe_record(paths_, r).state, State::Starting);

    // observe() reads the file.
    r.state = State::Running;
    r.init_pid = me.pid;
    r.init_start_time = me.start_time;
    ASSERT_TRUE(write_state(paths_, r));
    EXPECT_EQ(observe(paths_).state, State::Running);
    EXPECT_EQ(parse_state("created"), State::Created);
    EXPECT_STREQ(state_name(State::Created), "CREATED");
}

}  // namespace
}  // namespace kiste::state
