// The one table of cgroup values (cgroup/values.hpp), shared by the LXC
// front-end and the cgroup layer: every value the cgroup layer refuses is
// refused when the config loads, with file:line; never loaded and then
// refused at the start.
#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "cgroup/resources.hpp"
#include "cgroup/values.hpp"
#include "config/lxc/config.hpp"

namespace kiste::cgroup {
namespace {

std::string concrete(std::string_view pattern) {
    std::string key(pattern);
    if (auto star = key.find('*'); star != std::string::npos) key.replace(star, 1, "2MB");
    return key;
}

// Values the table refuses for a row: a word no row takes, and for ranges
// the numbers just outside.
std::vector<std::string> refused_values(const KeyRule& r) {
    std::vector<std::string> out = {"x"};
    if (r.kind == KeyRule::Kind::Integer) {
        if (!(r.minus_one && r.lo == 0)) out.push_back(std::to_string(r.lo - 1));
        if (r.hi < INT64_MAX) out.push_back(std::to_string(r.hi + 1));
    }
    if (r.kind == KeyRule::Kind::DevWeight || r.kind == KeyRule::Kind::IoWeight) {
        out.push_back("8:0 " + std::to_string(r.lo - 1));
        out.push_back("8:0 " + std::to_string(r.hi + 1));
    }
    if (r.kind == KeyRule::Kind::CpuMax) out.push_back(std::to_string(r.lo - 1));
    if (r.kind == KeyRule::Kind::Bytes) out.push_back("max");  // v1 takes -1 only
    return out;
}

TEST(CgroupValueTable, EveryRefusedValueIsRefusedAtLoadWithFileAndLine) {
    int checked = 0;
    for (const auto& r : key_rules()) {
        const std::string key = concrete(r.key);
        for (const auto& bad : refused_values(r)) {
            SCOPED_TRACE(fmt::format("v{} {} = {}", r.version, key, bad));
            ASSERT_FALSE(validate_value(r.version, key, bad));
            const std::string line =
                fmt::format("lxc.cgroup{}.{} = {}", r.version == 2 ? "2" : "", key, bad);
            auto c = lxc::load_string("lxc.uts.name = t\n" + line + "\n", "/etc/t.conf");
            ASSERT_FALSE(c);
            const std::string msg = c.error().message();
            EXPECT_NE(msg.find("/etc/t.conf:2"), std::string::npos) << msg;
            EXPECT_NE(msg.find(key), std::string::npos) << msg;
            ++checked;
        }
    }
    EXPECT_GT(checked, 80);
}

TEST(CgroupValueTable, TheTalksSharesOfOneIsRefusedAtLoad) {
    auto c = lxc::load_string("lxc.cgroup.cpu.shares = 1\n", "talk.conf");
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message().find("talk.conf:1"), std::string::npos) << c.error().message();
    EXPECT_NE(c.error().message().find("2..262144"), std::string::npos) << c.error().message();
    EXPECT_TRUE(lxc::load_string("lxc.cgroup.cpu.shares = 2\n", "talk.conf"));
}

// A value that loads is one the typed model takes (absorb_setting checks
// with the same table and parses once).
TEST(CgroupValueTable, AcceptedValuesAreAbsorbed) {
    const std::vector<CgroupSetting> good = {{1, "memory.limit_in_bytes", "512M", "c:1"},
                                             {1, "cpu.shares", "2", "c:2"},
                                             {1, "cpu.cfs_quota_us", "-1", "c:3"},
                                             {1, "pids.max", "max", "c:4"},
                                             {1, "blkio.weight", "10", "c:5"},
                                             {1, "hugetlb.2MB.limit_in_bytes", "-1", "c:6"},
                                             {2, "memory.max", "max", "c:7"},
                                             {2, "cpu.max", "max 100000", "c:8"},
                                             {2, "io.weight", "default 10000", "c:9"},
                                             {2, "io.max", "8:0 rbps=max wiops=5", "c:10"}};
    for (const auto& s : good) {
        ASSERT_TRUE(validate_value(s.version, s.key, s.value)) << s.key;
        Resources r;
        auto covered = absorb_setting(r, s);
        ASSERT_TRUE(covered) << s.key;
        EXPECT_TRUE(*covered) << s.key;
    }
}

TEST(CgroupBytes, OneParser) {
    EXPECT_EQ(parse_bytes("512M"), 512LL << 20);
    EXPECT_EQ(parse_bytes("1g"), 1LL << 30);
    EXPECT_EQ(parse_bytes("-1"), -1);
    EXPECT_EQ(parse_bytes("max"), -1);
    EXPECT_FALSE(parse_bytes("max", {.unlimited = false}));
    EXPECT_FALSE(parse_bytes("2MB"));
    EXPECT_EQ(parse_bytes("2MB", {.unlimited = false, .b_suffix = true}), 2LL << 20);
    EXPECT_EQ(parse_bytes("100b", {.unlimited = false, .b_suffix = true}), 100);
    EXPECT_FALSE(parse_bytes("kb", {.unlimited = false, .b_suffix = true}));
    EXPECT_FALSE(parse_bytes("9E"));
}

TEST(CgroupValueTable, RangesOfTheTalk) {
    EXPECT_EQ(find_rule(1, "cpu.shares")->lo, 2);
    EXPECT_EQ(find_rule(1, "cpu.shares")->hi, 262144);
    EXPECT_EQ(find_rule(2, "cpu.weight")->hi, 10000);
    EXPECT_EQ(find_rule(1, "blkio.weight")->lo, 10);
    EXPECT_EQ(find_rule(1, "memory.swappiness")->hi, 100);
    EXPECT_NE(find_rule(1, "hugetlb.1GB.limit_in_bytes"), nullptr);
    EXPECT_EQ(find_rule(1, "hugetlb.1GB.x.limit_in_bytes"), nullptr);
    EXPECT_EQ(find_rule(1, "memory.no_such_file"), nullptr);
}

}  // namespace
}  // namespace kiste::cgroup
