// Enforcement through kiste's own verbs on this machine's hybrid v1 host:
// busybox system containers (start/attach/set/info/freeze) and kiste execute.
// What the processes inside feel, not just what the files say.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "cgroup/cgroup.hpp"
#include "cgroup/host.hpp"
#include "cgroup/private_mounts.hpp"
#include "cgroup_fixture.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

#define REQUIRE_V1_OR_HYBRID()                                                      \
    do {                                                                            \
        auto l = cgroup::detect_layout();                                           \
        if (!l || *l == cgroup::Layout::V2)                                         \
            GTEST_SKIP() << "the v1/hybrid layout is tested here; v2: CgroupV2Vm*"; \
    } while (0)

class CgroupEnforce : public CgroupContainers {
protected:
    uint64_t cpu_ns(const std::string& name) {
        auto r = kiste({"cgroup", name, "cpuacct.usage"});
        return r.code == 0 ? std::stoull(r.out) : 0;
    }
    void start(const std::string& name, const std::string& config) {
        add_container(name, config);
        auto r = kiste({"start", name});
        ASSERT_EQ(r.code, 0) << r.err;
    }
};

TEST_F(CgroupEnforce, DefaultDeviceSetDeniesUnlistedNodes) {
    REQUIRE_V1_OR_HYBRID();
    const char* probe =
        "mknod /dev/probe-kmsg c 1 11 && mknod /dev/probe-null c 1 3 || exit 9; "
        "(: < /dev/probe-kmsg) 2>/dev/null && echo kmsg-opened || echo kmsg-denied; "
        "echo x > /dev/probe-null && echo null-ok";
    const std::string name = unique_name("devdef");
    start(name, "");
    auto r = sh(name, probe);
    EXPECT_EQ(r.out, "kmsg-denied\nnull-ok\n") << r.err;
    EXPECT_NE(kiste({"cgroup", name, "devices.list"}).out.find("c 1:3 rwm"), std::string::npos);

    // The control: with every device allowed the same node opens.
    const std::string open = unique_name("devall");
    start(open, "lxc.cgroup.devices.allow = a\n");
    r = sh(open, probe);
    EXPECT_EQ(r.out, "kmsg-opened\nnull-ok\n") << r.err;
}

TEST_F(CgroupEnforce, NetClsClassidInAPrivatelyMountedHierarchy) {
    REQUIRE_V1_OR_HYBRID();
    auto unmounted = cgroup::unmounted_v1_controllers(
        *cgroup::read_text("/proc/cgroups"),
        cgroup::parse_mountinfo(*cgroup::read_text("/proc/self/mountinfo")));
    if (std::find(unmounted.begin(), unmounted.end(), "net_cls") == unmounted.end())
        GTEST_SKIP() << "net_cls is mounted or not enabled on this host";
    const std::string name = unique_name("netcls");
    start(name, "lxc.cgroup.net_cls.classid = 0x100001\n");
    const std::string mp = run_dir_.path() + "/cgroup/net_cls";
    EXPECT_EQ(read_file(mp + "/kiste.payload/" + name + "/net_cls.classid"), "1048577\n");
    EXPECT_EQ(kiste({"cgroup", name, "net_cls.classid"}).out, "1048577\n");
    const pid_t init = std::stoi(kiste({"info", "-p", name}).out);
    EXPECT_NE(
        read_file(fmt::format("/proc/{}/cgroup", init)).find(":net_cls:/kiste.payload/" + name),
        std::string::npos);
    // The host's /sys/fs/cgroup is untouched.
    EXPECT_FALSE(fs::exists("/sys/fs/cgroup/net_cls"));
    EXPECT_EQ(kiste({"stop", name}).code, 0);
    // Other kiste runs on the host use the hierarchy while it is mounted: the
    // last one out unmounts it.
    for (int i = 0; i < 100 && !mounts_matching(mp).empty(); ++i)
        std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(mounts_matching(mp).empty());
    EXPECT_FALSE(fs::exists(run_dir_.path() + "/cgroup"));
    // The kernel gave the controller back: no net_cls line in /proc/self/cgroup.
    EXPECT_EQ(read_file("/proc/self/cgroup").find(":net_cls:"), std::string::npos);
}

TEST_F(CgroupEnforce, OomKillsTheHogAndTheContainerSurvives) {
    REQUIRE_V1_OR_HYBRID();
    std::string config = "lxc.cgroup.memory.limit_in_bytes = 32M\n";
    // Without memsw the hog would swap instead of dying (on a host that swaps).
    if (fs::exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"))
        config += "lxc.cgroup.memory.memsw.limit_in_bytes = 32M\n";
    const std::string name = unique_name("oom");
    start(name, config);
    // dd's 64 MiB buffer, filled from /dev/zero, cannot fit in 32 MiB.
    auto r = sh(name, "dd if=/dev/zero of=/dev/null bs=67108864 count=1 2>/dev/null; echo $?");
    EXPECT_EQ(r.out, "137\n") << r.err;  // 128 + SIGKILL
    EXPECT_EQ(kiste({"info", "-s", name}).out, "RUNNING\n");
    EXPECT_EQ(sh(name, "echo alive").out, "alive\n");
    auto j = info(name);
    ASSERT_TRUE(j.is_object());
    EXPECT_GE(j["oom_kills"].get<uint64_t>(), 1U) << j.dump();
    EXPECT_EQ(j["memory"]["limit"].get<uint64_t>(), 32U << 20) << j.dump();
    EXPECT_GT(j["memory"]["usage"].get<uint64_t>(), 0U) << j.dump();
    EXPECT_GE(j["fail_counters"]["memory"].get<uint64_t>(), 1U) << j.dump();
}

TEST_F(CgroupEnforce, SetChangesALiveLimitAndPersistsIt) {
    REQUIRE_V1_OR_HYBRID();
    const std::string name = unique_name("set");
    start(name, "# my limits\nlxc.cgroup.pids.max = 500\n");
    const char* forks =
        "n=0; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 30 & n=$((n+1)); done "
        "2>/dev/null; kill $(jobs -p) 2>/dev/null; echo forked";
    EXPECT_EQ(sh(name, forks).code, 0);

    // Room for the attached shell and a few of its children, not for all 8.
    const std::string cap = std::to_string(settled_pids_current(name) + 5);
    auto r = kiste({"set", name, "pids=" + cap, "memory=256M"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(kiste({"cgroup", name, "pids.max"}).out, cap + "\n");
    EXPECT_EQ(kiste({"cgroup", name, "memory.limit_in_bytes"}).out,
              std::to_string(256 << 20) + "\n");
    // Forks beyond the cap fail inside, and the fail counter says so.
    r = sh(name, "for i in 1 2 3 4 5 6 7 8; do sleep 30 >/dev/null 2>&1 & done; echo tried");
    EXPECT_NE(r.err.find("fork"), std::string::npos) << r.out << r.err;
    EXPECT_GE(info(name)["fail_counters"]["pids"].get<uint64_t>(), 1U);

    // Persisted as the host's keys, in place, comments kept.
    const std::string conf = read_file(config_path(name));
    EXPECT_NE(conf.find("# my limits\nlxc.cgroup.pids.max = " + cap + "\n"), std::string::npos)
        << conf;
    EXPECT_EQ(conf.find("pids.max = 500"), std::string::npos) << conf;
    EXPECT_NE(conf.find("lxc.cgroup.memory.limit_in_bytes = 268435456"), std::string::npos);

    // --live-only leaves the config alone; --config-only the cgroup.
    ASSERT_EQ(kiste({"set", name, "--live-only", "pids=max"}).code, 0);
    EXPECT_EQ(kiste({"cgroup", name, "pids.max"}).out, "max\n");
    EXPECT_EQ(read_file(config_path(name)), conf);
    ASSERT_EQ(kiste({"set", name, "--config-only", "pids=77"}).code, 0);
    EXPECT_EQ(kiste({"cgroup", name, "pids.max"}).out, "max\n");
    EXPECT_NE(read_file(config_path(name)).find("lxc.cgroup.pids.max = 77"), std::string::npos);

    r = kiste({"set", name, "pids=lots"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("pids=lots"), std::string::npos) << r.err;
    EXPECT_EQ(kiste({"stop", name}).code, 0);
    r = kiste({"set", name, "--live-only", "pids=5"});
    EXPECT_NE(r.err.find("is not running"), std::string::npos) << r.err;
    EXPECT_EQ(kiste({"set", name, "cpus=0.5"}).code, 0);  // stopped: config only
    EXPECT_NE(read_file(config_path(name)).find("lxc.cgroup.cpu.cfs_quota_us = 50000"),
              std::string::npos);
}

TEST_F(CgroupEnforce, CpusetPinningShowsInProcSelfStatus) {
    REQUIRE_V1_OR_HYBRID();
    const std::string name = unique_name("cpuset");
    start(name, "lxc.cgroup.cpuset.cpus = 0\n");
    EXPECT_EQ(sh(name, "grep Cpus_allowed_list /proc/self/status").out, "Cpus_allowed_list:\t0\n");
    if (std::thread::hardware_concurrency() < 2) return;
    ASSERT_EQ(kiste({"set", name, "--live-only", "cpuset=1"}).code, 0);
    EXPECT_EQ(sh(name, "grep Cpus_allowed_list /proc/self/status").out, "Cpus_allowed_list:\t1\n");
}

TEST_F(CgroupEnforce, FreezeStopsABusyLoopAndUnfreezeResumesIt) {
    REQUIRE_V1_OR_HYBRID();
    const std::string name = unique_name("freeze");
    start(name, "");
    ASSERT_EQ(sh(name, "sh -c 'while :; do :; done' >/dev/null 2>&1 </dev/null &").code, 0);
    auto busy_for = [&](auto d) {
        const uint64_t a = cpu_ns(name);
        std::this_thread::sleep_for(d);
        return cpu_ns(name) - a;
    };
    EXPECT_GT(busy_for(300ms), 50'000'000U);  // the loop runs
    ASSERT_EQ(kiste({"freeze", name}).code, 0);
    EXPECT_EQ(kiste({"info", "-s", name}).out, "FROZEN\n");
    EXPECT_LT(busy_for(300ms), 5'000'000U);  // frozen: (almost) nothing
    ASSERT_EQ(kiste({"unfreeze", name}).code, 0);
    EXPECT_GT(busy_for(300ms), 50'000'000U);
}

TEST_F(CgroupEnforce, CgroupsVanishAfterStopAndAfterKill9OfTheMonitor) {
    REQUIRE_V1_OR_HYBRID();
    const std::string name = unique_name("vanish");
    start(name, "lxc.cgroup.pids.max = 100\n");
    // Every hierarchy: the v1 controllers, name=systemd and the unified one.
    const std::string dirs = cgroup_dirs_of(name);
    for (const char* h : {"/memory/", "/pids/", "/systemd/", "/unified/", "/cpuset/"})
        EXPECT_NE(dirs.find(h), std::string::npos) << h << " in " << dirs;
    EXPECT_EQ(kiste({"stop", name}).code, 0);
    EXPECT_EQ(cgroup_dirs_of(name), "");

    ASSERT_EQ(kiste({"start", name}).code, 0);
    kill_monitor_then_stop(name);
}

TEST_F(CgroupEnforce, ExecuteAppliesTheConfigsLimits) {
    REQUIRE_V1_OR_HYBRID();
    const std::string name = unique_name("exec");
    // Six background sleeps from a subshell: kiste-init, sh and the subshell
    // leave one more task under pids.max = 4, so the subshell's forks fail.
    const std::string script =
        "(for i in 1 2 3 4 5 6; do sleep 2 & done) 2>/dev/null; echo subshell=$?";
    auto limited = kiste({"execute", "-n", name, "-s", "lxc.cgroup.pids.max=4", "-s",
                          "lxc.cgroup.memory.limit_in_bytes=64M", "--", "/bin/sh", "-c", script});
    EXPECT_EQ(limited.code, 0) << limited.err;
    EXPECT_NE(limited.out, "subshell=0\n") << limited.out;
    EXPECT_EQ(limited.out.rfind("subshell=", 0), 0U) << limited.out;
    EXPECT_EQ(cgroup_dirs_of(name), "");  // removed after the container ended
    auto control = kiste({"execute", "-n", name, "--", "/bin/sh", "-c", script});
    EXPECT_EQ(control.out, "subshell=0\n") << control.err;
}

TEST_F(CgroupEnforce, ExecuteJoinsEveryHierarchyBeforeItsCgroupNamespace) {
    REQUIRE_V1_OR_HYBRID();
    // kiste execute makes the v1 cgroups while the child sets itself up and
    // the child joins them late (launcher.hpp, CgroupEntry): every hierarchy
    // must hold the container's processes, and inside every line reads "/".
    const std::string name = unique_name("late");
    RunResult r;
    std::thread runner([&] {
        r = kiste({"execute", "-n", name, "--", "/bin/sh", "-c",
                   "cat /proc/self/cgroup; sleep 1.5; echo done"});
    });
    std::string dirs;
    for (int i = 0; i < 100 && dirs.empty(); ++i) {
        std::this_thread::sleep_for(20ms);
        dirs = cgroup_dirs_of(name);
    }
    std::this_thread::sleep_for(500ms);  // well inside the sleep
    dirs = cgroup_dirs_of(name);
    size_t hierarchies = 0;
    for (size_t pos = 0; pos < dirs.size();) {
        size_t end = dirs.find('\n', pos);
        const std::string dir = dirs.substr(pos, end - pos);
        pos = end == std::string::npos ? dirs.size() : end + 1;
        ++hierarchies;
        EXPECT_FALSE(read_file(dir + "/cgroup.procs").empty()) << dir << " holds no process";
    }
    runner.join();
    EXPECT_GE(hierarchies, 2U) << dirs;
    ASSERT_EQ(r.code, 0) << r.err;
    size_t lines = 0;
    for (size_t pos = 0; pos < r.out.size();) {
        size_t end = r.out.find('\n', pos);
        const std::string line = r.out.substr(pos, end - pos);
        pos = end == std::string::npos ? r.out.size() : end + 1;
        if (line == "done") continue;
        ++lines;
        EXPECT_TRUE(line.ends_with(":/")) << line;
    }
    EXPECT_EQ(lines, hierarchies) << r.out;
    EXPECT_EQ(cgroup_dirs_of(name), "");
}

TEST_F(CgroupEnforce, TopBatchShowsEveryContainer) {
    REQUIRE_V1_OR_HYBRID();
    const std::string name = unique_name("top");
    start(name, "lxc.cgroup.pids.max = 64\nlxc.cgroup.memory.limit_in_bytes = 128M\n");
    add_container(unique_name("topoff"), "");
    auto r = kiste({"top", "--batch", "-n", "2", "-d", "0.2"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("MEMFAIL"), std::string::npos) << r.out;
    const auto line_at = r.out.rfind(name + " ");
    ASSERT_NE(line_at, std::string::npos) << r.out;
    const std::string line = r.out.substr(line_at, r.out.find('\n', line_at) - line_at);
    EXPECT_NE(line.find("RUNNING"), std::string::npos) << line;
    EXPECT_NE(line.find("128.0 MiB"), std::string::npos) << line;
    EXPECT_NE(line.find(" 64 "), std::string::npos) << line;
    EXPECT_NE(r.out.find(unique_name("topoff") + " "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("STOPPED"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kiste::test
