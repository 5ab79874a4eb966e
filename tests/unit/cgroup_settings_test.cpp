// Settings: validation, order, and the v1 <-> v2 translation table.
#include <gtest/gtest.h>

#include "cgroup/resources.hpp"
#include "cgroup/settings.hpp"
#include "cgroup/translate.hpp"
#include "cgroup/values.hpp"

namespace kiste::cgroup {
namespace {

CgroupConfig config(std::initializer_list<CgroupConfig::Setting> s) {
    CgroupConfig c;
    c.settings = s;
    return c;
}

std::vector<std::string> keys(const Plan& p) {
    std::vector<std::string> out;
    for (const auto& w : p.writes) out.push_back(w.key + "=" + w.value);
    return out;
}

TEST(CgroupValues, Bytes) {
    EXPECT_EQ(*parse_bytes("512M"), 512LL << 20);
    EXPECT_EQ(*parse_bytes("1g"), 1LL << 30);
    EXPECT_EQ(*parse_bytes("4096"), 4096);
    EXPECT_EQ(*parse_bytes("-1"), -1);
    EXPECT_FALSE(parse_bytes("12X"));
    EXPECT_FALSE(parse_bytes(""));
    EXPECT_FALSE(parse_bytes("-2"));
    EXPECT_FALSE(parse_bytes("99999999999E"));
}

TEST(CgroupValues, Lists) {
    EXPECT_TRUE(valid_id_list("0-3,6", false));
    EXPECT_TRUE(valid_id_list("1", false));
    EXPECT_FALSE(valid_id_list("", false));
    EXPECT_TRUE(valid_id_list("", true));
    EXPECT_FALSE(valid_id_list("3-1", false));
    EXPECT_FALSE(valid_id_list("0,,1", false));
    EXPECT_FALSE(valid_id_list("a", false));
}

TEST(CgroupValues, DeviceRules) {
    EXPECT_TRUE(valid_device_rule("a"));
    EXPECT_TRUE(valid_device_rule("c 1:3 rwm"));
    EXPECT_TRUE(valid_device_rule("c *:* m"));
    EXPECT_TRUE(valid_device_rule("b 8:* r"));
    EXPECT_TRUE(valid_device_rule("a *:* rwm"));
    EXPECT_FALSE(valid_device_rule("x 1:3 rwm"));
    EXPECT_FALSE(valid_device_rule("c 1 rwm"));
    EXPECT_FALSE(valid_device_rule("c 1:3 rwx"));
    EXPECT_FALSE(valid_device_rule("c 1:3"));
}

TEST(CgroupValues, Validation) {
    EXPECT_TRUE(validate_value(1, "memory.limit_in_bytes", "512M"));
    EXPECT_FALSE(validate_value(1, "memory.limit_in_bytes", "lots"));
    EXPECT_FALSE(validate_value(1, "memory.swappiness", "101"));
    EXPECT_FALSE(validate_value(1, "cpu.cfs_quota_us", "500"));
    EXPECT_TRUE(validate_value(1, "cpu.cfs_quota_us", "-1"));
    EXPECT_FALSE(validate_value(1, "freezer.state", "frozen"));
    EXPECT_TRUE(validate_value(1, "net_cls.classid", "0x100001"));
    EXPECT_FALSE(validate_value(1, "net_cls.classid", "0x1000000001"));
    EXPECT_FALSE(validate_value(1, "blkio.weight", "5"));
    EXPECT_TRUE(validate_value(1, "blkio.throttle.read_bps_device", "8:0 1048576"));
    EXPECT_FALSE(validate_value(1, "blkio.throttle.read_bps_device", "8:0"));
    EXPECT_TRUE(validate_value(1, "unknown.file", "anything"));
    EXPECT_TRUE(validate_value(2, "memory.max", "max"));
    EXPECT_TRUE(validate_value(2, "memory.max", "1G"));
    EXPECT_FALSE(validate_value(2, "memory.max", "big"));
    EXPECT_TRUE(validate_value(2, "cpu.max", "50000 100000"));
    EXPECT_TRUE(validate_value(2, "cpu.max", "max"));
    EXPECT_FALSE(validate_value(2, "cpu.max", "50000 100000 3"));
    EXPECT_FALSE(validate_value(2, "cpu.weight", "0"));
    EXPECT_TRUE(validate_value(2, "io.weight", "default 100"));
    EXPECT_TRUE(validate_value(2, "io.max", "8:0 rbps=1000 wiops=max"));
    EXPECT_FALSE(validate_value(2, "io.max", "8:0 speed=1"));
    EXPECT_FALSE(validate_value(2, "cgroup.freeze", "yes"));
    EXPECT_EQ(normalize_value(2, "memory.max", "-1"), "max");
    EXPECT_EQ(normalize_value(1, "pids.max", "-1"), "max");
    EXPECT_EQ(normalize_value(1, "memory.limit_in_bytes", "-1"), "-1");
}

TEST(CgroupSettings, OrderOnV1) {
    auto cfg = config({{1, "memory.memsw.limit_in_bytes", "1G", "c:1"},
                       {1, "pids.max", "100", "c:2"},
                       {1, "memory.limit_in_bytes", "512M", "c:3"},
                       {1, "devices.deny", "a", "c:4"},
                       {1, "cpuset.mems", "0", "c:5"},
                       {1, "devices.allow", "c 1:3 rwm", "c:6"},
                       {1, "freezer.state", "THAWED", "c:7"},
                       {1, "cpuset.cpu_exclusive", "0", "c:8"},
                       {1, "memory.kmem.limit_in_bytes", "-1", "c:9"}});
    auto plan = plan_settings(cfg, 1);
    ASSERT_TRUE(plan) << plan.error().message();
    // The typed keys go to Resources; the raw ones are ordered.
    EXPECT_EQ(keys(*plan),
              (std::vector<std::string>{"cpuset.cpu_exclusive=0", "memory.kmem.limit_in_bytes=-1",
                                        "devices.deny=a", "devices.allow=c 1:3 rwm",
                                        "freezer.state=THAWED"}));
    EXPECT_TRUE(plan->notes.empty());
    EXPECT_EQ(plan->resources.memory_limit, 512LL << 20);
    EXPECT_EQ(plan->resources.memory_swap_limit, 1LL << 30);
    EXPECT_EQ(plan->resources.pids_limit, 100);
    EXPECT_EQ(plan->resources.cpuset_mems, "0");
    EXPECT_EQ(source_of(plan->resources, "memory_limit", "memory.limit_in_bytes", "536870912"),
              "c:3: lxc.cgroup.memory.limit_in_bytes = 512M");
}

TEST(CgroupSettings, BadValueNamesOriginKeyAndValue) {
    for (const char* key : {"memory.limit_in_bytes", "memory.kmem.limit_in_bytes"}) {
        auto plan = plan_settings(config({{1, key, "12 parsecs", "/c/config:7"}}), 1);
        ASSERT_FALSE(plan);
        const auto msg = plan.error().message();
        EXPECT_NE(msg.find("/c/config:7"), std::string::npos) << msg;
        EXPECT_NE(msg.find(std::string("lxc.cgroup.") + key), std::string::npos) << msg;
        EXPECT_NE(msg.find("12 parsecs"), std::string::npos) << msg;
    }
}

TEST(CgroupSettings, V1KeysOnV2Host) {
    auto cfg = config({{1, "memory.limit_in_bytes", "512M", "c:1"},
                       {1, "memory.memsw.limit_in_bytes", "1G", "c:2"},
                       {1, "cpu.shares", "512", "c:3"},
                       {1, "cpu.cfs_quota_us", "50000", "c:4"},
                       {1, "cpu.cfs_period_us", "200000", "c:5"},
                       {1, "pids.max", "-1", "c:6"},
                       {1, "blkio.weight", "500", "c:7"},
                       {1, "blkio.throttle.write_iops_device", "8:0 100", "c:8"},
                       {1, "memory.swappiness", "10", "c:9"},
                       {1, "net_cls.classid", "0x100001", "c:10"},
                       {1, "devices.allow", "c 1:3 rwm", "c:11"},
                       {1, "freezer.state", "THAWED", "c:12"},
                       {1, "hugetlb.2MB.limit_in_bytes", "-1", "c:13"},
                       {1, "memory.kmem.limit_in_bytes", "1G", "c:14"}});
    auto plan = plan_settings(cfg, 2);
    ASSERT_TRUE(plan) << plan.error().message();
    EXPECT_EQ(keys(*plan), (std::vector<std::string>{"cgroup.freeze=0"}));
    EXPECT_NE(plan->writes[0].source.find("(as cgroup.freeze)"), std::string::npos);
    ASSERT_EQ(plan->devices.size(), 1u);
    EXPECT_TRUE(plan->devices[0].allow);
    EXPECT_EQ(plan->devices[0].rule, "c 1:3 rwm");
    ASSERT_EQ(plan->notes.size(), 1u);
    EXPECT_NE(plan->notes[0].find("kmem"), std::string::npos);
    const Resources& r = plan->resources;
    EXPECT_EQ(r.cpu_shares, 512u);
    EXPECT_EQ(r.cpu_quota, 50000);
    EXPECT_EQ(r.cpu_period, 200000u);
    EXPECT_EQ(r.blkio_weight, 500);
    ASSERT_EQ(r.throttle_write_iops.size(), 1u);
    EXPECT_EQ(r.throttle_write_iops[0].rate, 100u);
    EXPECT_EQ(r.net_cls_classid, 0x100001u);
    ASSERT_EQ(r.hugepage_limits.size(), 1u);
    EXPECT_EQ(r.hugepage_limits[0].pagesize, "2MB");
    EXPECT_EQ(r.hugepage_limits[0].limit, -1);
}

TEST(CgroupSettings, NativeKeyWinsOverTranslation) {
    // LXC's common configs carry both variants of a limit.
    auto cfg =
        config({{1, "memory.limit_in_bytes", "512M", "c:1"}, {2, "memory.max", "1G", "c:2"}});
    auto v2 = plan_settings(cfg, 2);
    ASSERT_TRUE(v2);
    EXPECT_EQ(v2->resources.memory_limit, 1LL << 30);
    ASSERT_EQ(v2->notes.size(), 1u);
    EXPECT_EQ(v2->notes[0],
              "c:1: lxc.cgroup.memory.limit_in_bytes = 512M: not translated: "
              "lxc.cgroup2.memory.max is set");
    auto v1 = plan_settings(cfg, 1);
    ASSERT_TRUE(v1);
    EXPECT_EQ(v1->resources.memory_limit, 512LL << 20);
    EXPECT_TRUE(keys(*v1).empty());
}

TEST(CgroupSettings, V2KeysOnV1Host) {
    auto cfg = config({{2, "memory.swap.max", "256M", "c:1"},
                       {2, "memory.max", "256M", "c:2"},
                       {2, "cpu.max", "25000 100000", "c:3"},
                       {2, "cpu.weight", "100", "c:4"},
                       {2, "io.max", "8:0 rbps=1048576 wbps=max", "c:5"},
                       {2, "cgroup.max.depth", "3", "c:6"},
                       {2, "memory.high", "200M", "c:7"},
                       {2, "devices.deny", "a", "c:8"}});
    auto plan = plan_settings(cfg, 1, /*unified=*/true);
    ASSERT_TRUE(plan) << plan.error().message();
    EXPECT_EQ(keys(*plan), (std::vector<std::string>{"cgroup.max.depth=3", "devices.deny=a"}));
    ASSERT_EQ(plan->notes.size(), 1u);
    EXPECT_NE(plan->notes[0].find("memory.high"), std::string::npos);
    const Resources& r = plan->resources;
    EXPECT_EQ(r.memory_limit, 256LL << 20);
    EXPECT_EQ(r.memory_swap, 256LL << 20);
    EXPECT_EQ(r.cpu_quota, 25000);
    EXPECT_EQ(r.cpu_period, 100000u);
    EXPECT_EQ(r.cpu_weight, 100u);
    ASSERT_EQ(r.throttle_read_bps.size(), 1u);
    EXPECT_EQ(r.throttle_read_bps[0].rate, 1048576u);
    ASSERT_EQ(r.throttle_write_bps.size(), 1u);
    EXPECT_EQ(r.throttle_write_bps[0].rate, 0u);  // max: no limit
}

TEST(CgroupTranslate, Weights) {
    EXPECT_EQ(shares_to_weight(2), 1u);
    EXPECT_EQ(shares_to_weight(1024), 39u);
    EXPECT_EQ(shares_to_weight(262144), 10000u);
    EXPECT_EQ(weight_to_shares(1), 2u);
    EXPECT_EQ(weight_to_shares(10000), 262144u);
    EXPECT_EQ(blkio_to_io_weight(10), 1u);
    EXPECT_EQ(blkio_to_io_weight(1000), 10000u);
    EXPECT_EQ(io_to_blkio_weight(10000), 1000u);
    EXPECT_EQ(io_to_blkio_weight(1), 10u);
}

TEST(CgroupTranslate, CpusetPartition) {
    auto t = v1_to_v2("cpuset.cpu_exclusive", "1");
    ASSERT_EQ(t.writes.size(), 1u);
    EXPECT_EQ(t.writes[0].key, "cpuset.cpus.partition");
    EXPECT_EQ(t.writes[0].value, "root");
    auto back = v2_to_v1("cpuset.cpus.partition", "member");
    EXPECT_EQ(back.writes[0].value, "0");
}

}  // namespace
}  // namespace kiste::cgroup
