// kiste set's friendly names as the files of each layout, and the config
// line editor that persists them.
#include <gtest/gtest.h>

#include "cgroup/friendly.hpp"
#include "config/lxc/edit.hpp"

namespace kiste::cgroup {
namespace {

Result<std::string> fake_dev(const std::string& node) {
    if (node == "/dev/vda") return std::string("253:0");
    return fail("no such device {}", node);
}

// "key=value;key=value" of one friendly setting on a layout.
std::string as(std::string_view name, std::string_view value, int version,
               std::optional<int64_t> memory = std::nullopt) {
    FriendlyContext ctx;
    ctx.memory_limit = memory;
    ctx.device_numbers = &fake_dev;
    auto r = friendly_to_settings(name, value, version, ctx);
    if (!r) return "error: " + r.error().message();
    std::string out;
    for (const auto& s : *r) {
        EXPECT_EQ(s.version, version);
        out += (out.empty() ? "" : ";") + s.key + "=" + s.value;
    }
    return out;
}

TEST(CgroupFriendly, Memory) {
    EXPECT_EQ(as("memory", "512M", 1), "memory.limit_in_bytes=536870912");
    EXPECT_EQ(as("memory", "512M", 2), "memory.max=536870912");
    EXPECT_EQ(as("memory", "max", 1), "memory.limit_in_bytes=-1");
    EXPECT_EQ(as("memory", "unlimited", 2), "memory.max=max");
    EXPECT_NE(as("memory", "lots", 1).find("expected a size"), std::string::npos);
}

TEST(CgroupFriendly, SwapAddsToMemoryOnV1) {
    EXPECT_EQ(as("swap", "1G", 2), "memory.swap.max=1073741824");
    EXPECT_EQ(as("swap", "1G", 1, 512LL << 20), "memory.memsw.limit_in_bytes=1610612736");
    EXPECT_NE(as("swap", "1G", 1).find("needs a memory limit"), std::string::npos);
    EXPECT_EQ(as("swap", "max", 1), "memory.memsw.limit_in_bytes=-1");
}

TEST(CgroupFriendly, Cpus) {
    EXPECT_EQ(as("cpus", "1.5", 1), "cpu.cfs_period_us=100000;cpu.cfs_quota_us=150000");
    EXPECT_EQ(as("cpus", "1.5", 2), "cpu.max=150000 100000");
    EXPECT_EQ(as("cpus", "0.25", 2), "cpu.max=25000 100000");
    EXPECT_EQ(as("cpus", "max", 2), "cpu.max=max 100000");
    EXPECT_EQ(as("cpus", "max", 1), "cpu.cfs_quota_us=-1");
    EXPECT_NE(as("cpus", "1.5x", 1).find("expected a number of CPUs"), std::string::npos);
    EXPECT_NE(as("cpus", "0", 1).find("expected"), std::string::npos);
}

TEST(CgroupFriendly, WeightsAreScaledOnV1) {
    EXPECT_EQ(as("cpu-weight", "200", 2), "cpu.weight=200");
    // runc's linear scales, as the v1 <-> v2 translation table uses them
    EXPECT_EQ(as("cpu-weight", "100", 1), "cpu.shares=2597");
    EXPECT_EQ(as("io-weight", "300", 2), "io.weight=default 300");
    EXPECT_EQ(as("io-weight", "300", 1), "blkio.weight=39");
    EXPECT_NE(as("cpu-weight", "0", 2).find("1..10000"), std::string::npos);
}

TEST(CgroupFriendly, CpusetAndPids) {
    EXPECT_EQ(as("cpuset", "0-1", 1), "cpuset.cpus=0-1");
    EXPECT_EQ(as("cpuset", "0-1", 2), "cpuset.cpus=0-1");
    EXPECT_NE(as("cpuset", "1-0", 2).find("CPU list"), std::string::npos);
    EXPECT_EQ(as("pids", "200", 1), "pids.max=200");
    EXPECT_EQ(as("pids", "max", 2), "pids.max=max");
    // pids.max = 0 (no new process) is a value the kernel and the config take.
    EXPECT_EQ(as("pids", "0", 2), "pids.max=0");
    EXPECT_NE(as("pids", "-5", 2).find("expected a number"), std::string::npos);
}

TEST(CgroupFriendly, IoThrottlesByDeviceNodeOrNumbers) {
    EXPECT_EQ(as("io-read-bps", "/dev/vda:10M", 2), "io.max=253:0 rbps=10485760");
    EXPECT_EQ(as("io-write-iops", "8:16:200", 2), "io.max=8:16 wiops=200");
    EXPECT_EQ(as("io-read-bps", "/dev/vda:10M", 1),
              "blkio.throttle.read_bps_device=253:0 10485760");
    EXPECT_EQ(as("io-write-bps", "8:0:max", 1), "blkio.throttle.write_bps_device=8:0 0");
    EXPECT_EQ(as("io-read-iops", "8:0:max", 2), "io.max=8:0 riops=max");
    EXPECT_NE(as("io-read-bps", "/dev/nope:1M", 2).find("no such device"), std::string::npos);
    EXPECT_NE(as("io-read-bps", "10M", 2).find("DEVICE:RATE"), std::string::npos);
    EXPECT_NE(as("io-read-bps", "x:y:1", 2).find("neither"), std::string::npos);
}

TEST(CgroupFriendly, UnknownNameListsTheKnownOnes) {
    auto e = as("ram", "1G", 2);
    EXPECT_NE(e.find("unknown setting 'ram'"), std::string::npos) << e;
    EXPECT_NE(e.find("memory"), std::string::npos) << e;
}

TEST(ConfigEdit, ReplacesInPlaceKeepsCommentsAppendsNew) {
    const std::string text =
        "# my container\n"
        "lxc.uts.name = c1\n"
        "lxc.cgroup.pids.max = 10  \n"
        "# limits\n"
        "lxc.cgroup.pids.max = 20\n";
    EXPECT_EQ(lxc::set_config_line(text, "lxc.cgroup.pids.max", "200"),
              "# my container\nlxc.uts.name = c1\nlxc.cgroup.pids.max = 200\n# limits\n");
    EXPECT_EQ(lxc::set_config_line("lxc.uts.name = c1", "lxc.cgroup2.memory.max", "1G"),
              "lxc.uts.name = c1\nlxc.cgroup2.memory.max = 1G\n");
    // A commented-out line is not the key.
    EXPECT_EQ(lxc::set_config_line("#lxc.cgroup.pids.max = 1\n", "lxc.cgroup.pids.max", "2"),
              "#lxc.cgroup.pids.max = 1\nlxc.cgroup.pids.max = 2\n");
}

TEST(ConfigEdit, PerDeviceLinesStaySeparate) {
    const std::string text =
        "lxc.cgroup2.io.max = 8:0 rbps=100\n"
        "lxc.cgroup2.io.max = 8:0 wbps=100\n"
        "lxc.cgroup2.io.max = 8:16 rbps=100\n";
    EXPECT_EQ(lxc::set_config_line(text, "lxc.cgroup2.io.max", "8:0 wbps=5", "8:0 wbps="),
              "lxc.cgroup2.io.max = 8:0 rbps=100\n"
              "lxc.cgroup2.io.max = 8:0 wbps=5\n"
              "lxc.cgroup2.io.max = 8:16 rbps=100\n");
    EXPECT_EQ(lxc::set_config_line(text, "lxc.cgroup2.io.max", "9:0 rbps=1", "9:0 rbps="),
              text + "lxc.cgroup2.io.max = 9:0 rbps=1\n");
}

}  // namespace
}  // namespace kiste::cgroup
