// The cgroup v2 enforcement suite, for a pure v2 host (the QEMU guest of
// tests/vm/ runs it): eBPF device rules, memory.max OOM, pids.max, cpu.max,
// io.weight, cgroup.freeze and cgroup.kill, through kiste's verbs on busybox
// system containers. On a host whose /sys/fs/cgroup is not cgroup2 the tests
// skip, unless KISTE_TEST_REQUIRE_V2=1 says that this host must be v2: then
// they fail.
#include <linux/magic.h>
#include <sys/statfs.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "cgroup_fixture.hpp"

namespace kiste::test {
namespace {

using namespace std::chrono_literals;

bool pure_v2_host() {
    struct statfs st {};
    return ::statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

#define REQUIRE_V2_HOST()                                                                  \
    do {                                                                                   \
        if (!pure_v2_host()) {                                                             \
            const char* must = std::getenv("KISTE_TEST_REQUIRE_V2");                       \
            if (must != nullptr && std::string(must) == "1")                               \
                FAIL() << "KISTE_TEST_REQUIRE_V2=1 but /sys/fs/cgroup is not cgroup2";     \
            GTEST_SKIP() << "needs a pure cgroup v2 host (/sys/fs/cgroup is not cgroup2)"; \
        }                                                                                  \
    } while (0)

class CgroupV2Vm : public CgroupContainers {
protected:
    void start(const std::string& name, const std::string& config) {
        add_container(name, config);
        auto r = kiste({"start", name});
        ASSERT_EQ(r.code, 0) << r.err;
    }
    // cpu.stat usage_usec of the container.
    uint64_t cpu_us(const std::string& name) {
        auto r = kiste({"cgroup", name, "cpu.stat"});
        auto pos = r.out.find("usage_usec ");
        return pos == std::string::npos ? 0 : std::stoull(r.out.substr(pos + 11));
    }
    uint64_t cpu_us_over(const std::string& name, std::chrono::milliseconds d) {
        const uint64_t a = cpu_us(name);
        std::this_thread::sleep_for(d);
        return cpu_us(name) - a;
    }
    void busy_loop(const std::string& name) {
        ASSERT_EQ(sh(name, "sh -c 'while :; do :; done' >/dev/null 2>&1 </dev/null &").code, 0);
    }
};

TEST_F(CgroupV2Vm, EbpfDeviceProgramDeniesZeroAllowsNull) {
    REQUIRE_V2_HOST();
    const std::string name = unique_name("v2dev");
    start(name,
          "lxc.cgroup2.devices.deny = a\n"
          "lxc.cgroup2.devices.allow = c *:* m\n"
          "lxc.cgroup2.devices.allow = c 1:3 rwm\n"
          "lxc.cgroup2.devices.allow = c 5:* rwm\n"
          "lxc.cgroup2.devices.allow = c 136:* rwm\n");
    auto r = sh(name,
                "(: < /dev/zero) 2>/dev/null && echo zero-opened || echo zero-denied; "
                "echo x > /dev/null && echo null-ok");
    EXPECT_EQ(r.out, "zero-denied\nnull-ok\n") << r.err;
}

TEST_F(CgroupV2Vm, DefaultDeviceSetIsAProgramToo) {
    REQUIRE_V2_HOST();
    const std::string name = unique_name("v2devdef");
    start(name, "");
    auto r = sh(name,
                "mknod /dev/probe-kmsg c 1 11 || exit 9; "
                "(: < /dev/probe-kmsg) 2>/dev/null && echo kmsg-opened || echo kmsg-denied; "
                "echo x > /dev/null && echo null-ok");
    EXPECT_EQ(r.out, "kmsg-denied\nnull-ok\n") << r.err;
}

TEST_F(CgroupV2Vm, MemoryMaxOomKillsTheHog) {
    REQUIRE_V2_HOST();
    const std::string name = unique_name("v2oom");
    start(name, "lxc.cgroup2.memory.max = 32M\nlxc.cgroup2.memory.swap.max = 0\n");
    auto r = sh(name, "dd if=/dev/zero of=/dev/null bs=67108864 count=1 2>/dev/null; echo $?");
    EXPECT_EQ(r.out, "137\n") << r.err;
    EXPECT_EQ(kiste({"info", "-s", name}).out, "RUNNING\n");
    auto j = info(name);
    ASSERT_TRUE(j.is_object());
    EXPECT_GE(j["oom_kills"].get<uint64_t>(), 1U) << j.dump();
    EXPECT_EQ(j["memory"]["limit"].get<uint64_t>(), 32U << 20) << j.dump();
}

TEST_F(CgroupV2Vm, V1KeysAreTranslated) {
    REQUIRE_V2_HOST();
    const std::string name = unique_name("v2tr");
    start(name,
          "lxc.cgroup.memory.limit_in_bytes = 48M\nlxc.cgroup.pids.max = 50\n"
          "lxc.cgroup.cpu.cfs_quota_us = 50000\nlxc.cgroup.cpu.cfs_period_us = 100000\n");
    EXPECT_EQ(kiste({"cgroup", name, "memory.max"}).out, std::to_string(48 << 20) + "\n");
    EXPECT_EQ(kiste({"cgroup", name, "pids.max"}).out, "50\n");
    EXPECT_EQ(kiste({"cgroup", name, "cpu.max"}).out, "50000 100000\n");
}

TEST_F(CgroupV2Vm, PidsMaxCapsForksLive) {
    REQUIRE_V2_HOST();
    const std::string name = unique_name("v2pids");
    start(name, "");
    const uint64_t current = settled_pids_current(name);
    // Room for the attached shell and a few of its children, not for all 12.
    ASSERT_EQ(kiste({"set", name, "pids=" + std::to_string(current + 5)}).code, 0);
    auto r =
        sh(name,
           "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 30 >/dev/null 2>&1 & done; echo tried");
    EXPECT_NE(r.err.find("fork"), std::string::npos) << r.out << r.err;
    EXPECT_GE(info(name)["fail_counters"]["pids"].get<uint64_t>(), 1U);
    EXPECT_NE(read_file(config_path(name)).find("lxc.cgroup2.pids.max = "), std::string::npos);
}

TEST_F(CgroupV2Vm, CpuMaxThrottlesABusyLoop) {
    REQUIRE_V2_HOST();
    const std::string name = unique_name("v2cpu");
    start(name, "lxc.cgroup2.cpu.max = 20000 100000\n");
    busy_loop(name);
    const uint64_t used = cpu_us_over(name, 1000ms);
    EXPECT_GT(used, 50'000U);   // it runs...
    EXPECT_LT(used, 350'000U);  // ...at about 20 % of one CPU
    auto stat = kiste({"cgroup", name, "cpu.stat"}).out;
    EXPECT_NE(stat.find("nr_throttled "), std::string::npos);
    EXPECT_EQ(stat.find("nr_throttled 0\n"), std::string::npos) << stat;
}

TEST_F(CgroupV2Vm, IoWeightOnALoopDevice) {
    REQUIRE_V2_HOST();
    const std::string name = unique_name("v2io");
    start(name, "");
    auto ctl = kiste({"cgroup", name, "cgroup.controllers"}).out;
    if (ctl.find("io") == std::string::npos) GTEST_SKIP() << "no io controller: " << ctl;
    ASSERT_EQ(kiste({"set", name, "io-weight=300"}).code, 0);
    EXPECT_NE(kiste({"cgroup", name, "io.weight"}).out.find("default 300"), std::string::npos);
    if (!std::filesystem::exists("/dev/loop0")) return;  // no loop device: the default only
    auto r = kiste({"set", name, "io-read-bps=/dev/loop0:1M"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(kiste({"cgroup", name, "io.max"}).out.find("rbps=1048576"), std::string::npos);
}

TEST_F(CgroupV2Vm, CgroupFreezeStopsABusyLoop) {
    REQUIRE_V2_HOST();
    const std::string name = unique_name("v2frz");
    start(name, "");
    busy_loop(name);
    EXPECT_GT(cpu_us_over(name, 300ms), 50'000U);
    ASSERT_EQ(kiste({"freeze", name}).code, 0);
    EXPECT_EQ(kiste({"cgroup", name, "cgroup.freeze"}).out, "1\n");
    EXPECT_LT(cpu_us_over(name, 300ms), 5'000U);
    ASSERT_EQ(kiste({"unfreeze", name}).code, 0);
    EXPECT_GT(cpu_us_over(name, 300ms), 50'000U);
}

TEST_F(CgroupV2Vm, CgroupKillEmptiesTheCgroupAfterTheMonitorDies) {
    REQUIRE_V2_HOST();
    const std::string name = unique_name("v2kill");
    start(name, "");
    ASSERT_EQ(sh(name, "for i in 1 2 3; do sleep 300 & done >/dev/null 2>&1 </dev/null").code, 0);
    kill_monitor_then_stop(name);
}

// lxc.mount.auto = cgroup:mixed on a pure v2 host: /sys/fs/cgroup inside is
// cgroup2 rooted at the container's own cgroup (what systemd needs), which
// the container may divide; under cgroup:ro it may not.
TEST_F(CgroupV2Vm, MountAutoGivesTheOwnCgroupAsRoot) {
    REQUIRE_V2_HOST();
    const std::string mixed = unique_name("v2mix");
    start(mixed, "lxc.mount.auto = proc:mixed sys:mixed cgroup:mixed\n");
    auto r =
        sh(mixed,
           "grep ' /sys/fs/cgroup ' /proc/self/mounts | cut -d' ' -f3; "
           "cat /proc/self/cgroup; "
           "ls /sys/fs/cgroup | grep -c kiste.payload; "
           "mkdir /sys/fs/cgroup/sub && echo $$ > /sys/fs/cgroup/sub/cgroup.procs && echo made");
    EXPECT_EQ(r.out, "cgroup2\n0::/\n0\nmade\n") << r.err;
    EXPECT_NE(cgroup_dirs_of("sub").find(mixed + "/sub"), std::string::npos)
        << cgroup_dirs_of("sub");
    EXPECT_EQ(kiste({"stop", "-k", mixed}).code, 0);

    const std::string ro = unique_name("v2ro");
    start(ro, "lxc.mount.auto = proc:mixed sys:mixed cgroup:ro\n");
    EXPECT_NE(sh(ro, "mkdir /sys/fs/cgroup/sub").code, 0);
}

}  // namespace
}  // namespace kiste::test
