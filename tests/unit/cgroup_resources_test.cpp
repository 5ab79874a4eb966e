// Typed resources: the covered raw keys absorbed once, the host layout's
// values winning, structured limits and LXC's default device set.
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

TEST(CgroupResources, CoveredKeysAreAbsorbedOnce) {
    CgroupConfig cfg;
    cfg.settings = {{1, "memory.limit_in_bytes", "256M", "config:1"},
                    {1, "devices.allow", "c 1:5 rwm", "config:2"},
                    {2, "cpu.weight", "50", "config:3"},
                    {1, "freezer.state", "THAWED", "config:4"}};
    auto a = absorb_settings(cfg);
    ASSERT_TRUE(a) << a.error().message();
    ASSERT_EQ(a->settings.size(), 2U);  // devices and the freezer stay raw
    EXPECT_EQ(a->settings[0].key, "devices.allow");
    EXPECT_EQ(a->resources.memory_limit, 256LL << 20);
    EXPECT_EQ(a->resources_v2.cpu_weight, 50U);
    EXPECT_FALSE(a->resources.cpu_weight);
    EXPECT_EQ(a->resources.origins.at("memory_limit").origin, "config:1");
}

TEST(CgroupResources, StructuredLimitsAreTheResources) {
    CgroupConfig cfg;
    cfg.resources = typical();
    auto p = plan_settings(cfg, 1);
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_TRUE(writes(*p).empty());
    EXPECT_EQ(p->resources.memory_limit, 256LL << 20);
    EXPECT_EQ(p->resources.devices.size(), 2U);
    EXPECT_EQ(source_of(p->resources, "memory_limit", "memory.max", "1"),
              "spec.cgroup.resources: memory.max = 1");
}

TEST(CgroupResources, RawDeviceRulesReplaceTheTyped) {
    CgroupConfig cfg;
    cfg.resources = typical();
    cfg.settings.push_back({1, "devices.allow", "c 1:5 rwm", "config:2"});
    auto p = plan_settings(cfg, 1);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->resources.devices.empty());
    EXPECT_EQ(writes(*p), (std::vector<std::string>{"devices.allow=c 1:5 rwm"}));
}

TEST(CgroupResources, HostLayoutWinsFieldByField) {
    CgroupConfig cfg;
    cfg.resources.memory_limit = 1;
    cfg.resources.pids_limit = 10;
    cfg.resources.cpu_shares = 1024;
    cfg.resources_v2.memory_limit = 2;
    cfg.resources_v2.cpu_weight = 100;
    std::vector<std::string> notes;
    auto v2 = effective_resources(cfg, 2, &notes);
    EXPECT_EQ(v2.memory_limit, 2);
    EXPECT_EQ(v2.pids_limit, 10);
    EXPECT_EQ(v2.cpu_weight, 100U);
    auto v1 = effective_resources(cfg, 1);
    EXPECT_EQ(v1.memory_limit, 1);
    EXPECT_EQ(v1.cpu_shares, 1024U);
}

TEST(CgroupResources, HasLimits) {
    CgroupConfig cfg;
    EXPECT_FALSE(has_limits(cfg));
    cfg.resources_v2.pids_limit = 5;
    EXPECT_TRUE(has_limits(cfg));
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
    EXPECT_NE(v1->writes.front().source.find("LXC's default device set"), std::string::npos);
    auto v2 = plan_settings(cfg, 2);
    ASSERT_TRUE(v2) << v2.error().message();
    EXPECT_TRUE(v2->writes.empty());
    EXPECT_EQ(v2->devices.size(), default_device_rules().size());
}

}  // namespace
}  // namespace kiste::cgroup
