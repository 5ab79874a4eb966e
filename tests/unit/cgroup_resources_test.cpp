// spec.cgroup.resources and LXC's default device set through the settings
// path: the same validation, translation and order as lxc.cgroup.* keys.
#include <gtest/gtest.h>

#include "cgroup/defaults.hpp"
#include "cgroup/resources.hpp"
#include "cgroup/settings.hpp"

namespace kiste::cgroup {
namespace {

std::vector<std::string> writes(const Plan& p) {
    std::vector<std::string> out;
    for (const auto& w : p.writes) out.push_back(w.key + "=" + w.value);
    return out;
}

Resources typical() {
    Resources r;
    r.memory_limit = 256LL << 20;
    r.memory_swap_limit = 512LL << 20;
    r.cpu_quota = 50000;
    r.cpu_period = 100000;
    r.cpu_shares = 512;
    r.pids_limit = 100;
    r.cpuset_cpus = "0";
    r.throttle_read_bps.push_back({8, 0, 1048576});
    r.devices.push_back({false, 'a', -1, -1, "rwm"});
    r.devices.push_back({true, 'c', 1, 3, "rwm"});
    return r;
}

TEST(CgroupResources, SettingsAreV1KeysInOrder) {
    auto s = resource_settings(typical());
    std::vector<std::string> got;
    for (const auto& x : s) {
        EXPECT_EQ(x.version, 1);
        EXPECT_EQ(x.origin, kResourcesOrigin);
        got.push_back(x.key + "=" + x.value);
    }
    const std::vector<std::string> want = {"cpuset.cpus=0",
                                           "memory.limit_in_bytes=268435456",
                                           "memory.memsw.limit_in_bytes=536870912",
                                           "cpu.shares=512",
                                           "cpu.cfs_period_us=100000",
                                           "cpu.cfs_quota_us=50000",
                                           "pids.max=100",
                                           "blkio.throttle.read_bps_device=8:0 1048576",
                                           "devices.deny=a",
                                           "devices.allow=c 1:3 rwm"};
    EXPECT_EQ(got, want);
}

TEST(CgroupResources, UnlimitedAndWildcards) {
    Resources r;
    r.pids_limit = -1;
    r.memory_limit = -1;
    r.devices.push_back({true, 'c', 136, -1, "rwm"});
    r.devices.push_back({true, 'b', -1, -1, "m"});
    std::vector<std::string> got;
    for (const auto& x : resource_settings(r)) got.push_back(x.key + "=" + x.value);
    const std::vector<std::string> want = {"memory.limit_in_bytes=-1", "pids.max=max",
                                           "devices.allow=c 136:* rwm", "devices.allow=b *:* m"};
    EXPECT_EQ(got, want);
}

TEST(CgroupResources, PlannedOnV1LikeRawKeys) {
    CgroupConfig cfg;
    cfg.resources = typical();
    auto p = plan_settings(cfg, 1);
    ASSERT_TRUE(p) << p.error().message();
    auto w = writes(*p);
    ASSERT_GE(w.size(), 4U);
    EXPECT_EQ(w[0], "cpuset.cpus=0");
    // memory before memsw, period before quota (write_rank)
    auto pos = [&](const std::string& x) { return std::find(w.begin(), w.end(), x) - w.begin(); };
    EXPECT_LT(pos("memory.limit_in_bytes=268435456"), pos("memory.memsw.limit_in_bytes=536870912"));
    EXPECT_LT(pos("cpu.cfs_period_us=100000"), pos("cpu.cfs_quota_us=50000"));
    EXPECT_NE(pos("devices.deny=a"), static_cast<long>(w.size()));
    EXPECT_NE(p->writes.front().source.find(kResourcesOrigin), std::string::npos);
}

TEST(CgroupResources, TranslatedOnV2) {
    CgroupConfig cfg;
    cfg.resources = typical();
    auto p = plan_settings(cfg, 2);
    ASSERT_TRUE(p) << p.error().message();
    auto w = writes(*p);
    for (const char* x : {"memory.max=268435456", "memory.swap.max=268435456",
                          "cpu.max=50000 100000", "pids.max=100", "io.max=8:0 rbps=1048576"})
        EXPECT_NE(std::find(w.begin(), w.end(), x), w.end()) << x;
    ASSERT_EQ(p->devices.size(), 2U);  // the eBPF program
    EXPECT_FALSE(p->devices[0].allow);
    EXPECT_EQ(p->devices[1].rule, "c 1:3 rwm");
}

TEST(CgroupResources, RawKeysOfTheConfigAreNotWrittenTwice) {
    CgroupConfig cfg;
    cfg.settings.push_back({1, "memory.limit_in_bytes", "256M", "config:1"});
    cfg.settings.push_back({1, "devices.allow", "c 1:5 rwm", "config:2"});
    cfg.resources.memory_limit = 256LL << 20;  // what to_spec derived from line 1
    cfg.resources.pids_limit = 10;             // set only here
    cfg.resources.devices.push_back({true, 'c', 1, 5, "rwm"});
    auto merged = with_resources(cfg);
    ASSERT_EQ(merged.settings.size(), 3U);
    EXPECT_EQ(merged.settings[2].key, "pids.max");
}

TEST(CgroupResources, BadResourceValueNamesTheOrigin) {
    CgroupConfig cfg;
    cfg.resources.memory_swappiness = 300;
    auto p = plan_settings(cfg, 1);
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message().find("spec.cgroup.resources"), std::string::npos)
        << p.error().message();
}

TEST(CgroupDefaultDevices, AddedOnlyWithoutDeviceSettings) {
    CgroupConfig cfg;
    cfg.settings.push_back({1, "pids.max", "10", "config:1"});
    auto d = with_default_devices(cfg);
    ASSERT_EQ(d.settings.size(), 1 + default_device_rules().size());
    EXPECT_EQ(d.settings[1].key, "devices.deny");
    EXPECT_EQ(d.settings[1].value, "a");
    EXPECT_NE(d.settings[1].origin.find("LXC's default device set"), std::string::npos);
    bool null_allowed = false, zero_allowed = false, mem_allowed = false;
    for (const auto& s : d.settings) {
        null_allowed |= s.key == "devices.allow" && s.value == "c 1:3 rwm";
        zero_allowed |= s.key == "devices.allow" && s.value == "c 1:5 rwm";
        mem_allowed |= s.value.starts_with("c 1:1 ");
    }
    EXPECT_TRUE(null_allowed);
    EXPECT_TRUE(zero_allowed);
    EXPECT_FALSE(mem_allowed);  // /dev/mem stays denied

    cfg.settings.push_back({2, "devices.allow", "c 1:3 rwm", "config:2"});
    EXPECT_EQ(with_default_devices(cfg).settings.size(), 2U);
}

TEST(CgroupDefaultDevices, PlannedAsWritesOnV1AndAProgramOnV2) {
    auto cfg = with_default_devices({});
    auto v1 = plan_settings(cfg, 1);
    ASSERT_TRUE(v1) << v1.error().message();
    ASSERT_EQ(v1->writes.size(), default_device_rules().size());
    EXPECT_EQ(v1->writes.front().key, "devices.deny");
    auto v2 = plan_settings(cfg, 2);
    ASSERT_TRUE(v2) << v2.error().message();
    EXPECT_TRUE(v2->writes.empty());
    EXPECT_EQ(v2->devices.size(), default_device_rules().size());
}

}  // namespace
}  // namespace kiste::cgroup
