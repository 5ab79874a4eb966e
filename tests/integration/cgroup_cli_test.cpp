// kiste freeze / unfreeze / cgroup against a "running" container whose state
// the test writes itself (the name lock held by the test, a forked child as
// its init, cgroups from the manager), so the verbs are tested apart from
// the monitor.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "base/scope_exit.hpp"
#include "cgroup/cgroup.hpp"
#include "harness.hpp"
#include "state/container_state.hpp"
#include "state/run_lock.hpp"

namespace kiste::cgroup {
namespace {

namespace fs = std::filesystem;

TEST(CgroupCli, FreezeUnfreezeAndCgroupVerbs) {
    KISTE_REQUIRE_ROOT();
    auto layout = detect_layout();
    if (!layout || *layout == Layout::V2) GTEST_SKIP() << "needs a v1 or hybrid host";
    test::TempDir lxc, run;
    ASSERT_EQ(::setenv("KISTE_RUN_DIR", run.path().c_str(), 1), 0);
    ScopeExit unset([] { ::unsetenv("KISTE_RUN_DIR"); });
    const std::string name = fmt::format("kiste-cgtest-{}-cli", ::getpid());
    state::ContainerPaths paths{lxc.path(), name};
    fs::create_directories(paths.dir());
    test::write_file(paths.config(), "");
    fs::create_directories(paths.run_dir());
    auto lock = state::NameLock::acquire(paths.run_root(), name);
    ASSERT_TRUE(lock) << lock.error().message();

    auto m = make_manager(name, {});
    ASSERT_TRUE(m) << m.error().message();
    ASSERT_TRUE((*m)->create());
    ScopeExit cleanup([&] { (void)(*m)->destroy(); });
    pid_t init = ::fork();
    if (init == 0) {
        for (;;) ::pause();
    }
    ASSERT_GT(init, 0);
    ScopeExit reap([&] {
        ::kill(init, SIGKILL);
        ::waitpid(init, nullptr, 0);
    });
    ASSERT_TRUE((*m)->attach(init));
    state::RuntimeState rs;
    rs.state = state::State::Running;
    rs.init_pid = init;
    rs.init_start_time = state::process_start_time(init);
    rs.owner_pid = ::getpid();
    rs.owner_start_time = state::process_start_time(::getpid());
    rs.cgroup_paths = (*m)->paths();
    ASSERT_TRUE(state::write_state(paths, rs));
    ASSERT_EQ(state::observe(paths).state, state::State::Running);

    const auto kiste = test::kiste_binary();
    auto r = test::run({kiste, "-P", lxc.path(), "freeze", name});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(*(*m)->frozen());
    r = test::run({kiste, "-P", lxc.path(), "unfreeze", name});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_FALSE(*(*m)->frozen());

    r = test::run({kiste, "-P", lxc.path(), "cgroup", name, "pids.max", "7"});
    EXPECT_EQ(r.code, 0) << r.err;
    r = test::run({kiste, "-P", lxc.path(), "cgroup", name, "pids.max"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "7\n");
    r = test::run({kiste, "-P", lxc.path(), "cgroup", name, "memory.limit_in_bytes", "64M"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(*(*m)->get("memory.limit_in_bytes"), std::to_string(64 << 20));

    r = test::run({kiste, "-P", lxc.path(), "cgroup", name, "pids.max", "lots"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("pids.max = lots"), std::string::npos) << r.err;
    r = test::run({kiste, "-P", lxc.path(), "cgroup", name, "cpuset.cpus", "4095"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("writing '4095' to "), std::string::npos) << r.err;
    r = test::run({kiste, "-P", lxc.path(), "cgroup", name, "net_cls.classid"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("not mounted"), std::string::npos) << r.err;

    r = test::run({kiste, "-P", lxc.path(), "freeze", "no-such-container"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
    fs::create_directories(lxc / "stopped");
    test::write_file(lxc / "stopped/config", "");
    r = test::run({kiste, "-P", lxc.path(), "cgroup", "stopped", "pids.max"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("is not running"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kiste::cgroup
