// Layout detection and "where are we" from sample /proc files; placement.
#include <gtest/gtest.h>

#include "cgroup/host.hpp"
#include "cgroup/placement.hpp"

namespace kiste::cgroup {
namespace {

// This machine's layout: v1 controllers, name=systemd, an empty cgroup2.
constexpr const char* kHybridMountinfo =
    "24 1 0:22 / /sys rw,nosuid - sysfs sysfs rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

constexpr const char* kHybridProcCgroup =
    "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
    "4:memory:/process_api/876f\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";

constexpr const char* kV2Mountinfo =
    "22 1 0:21 / /proc rw - proc proc rw\n"
    "25 20 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

constexpr const char* kV1Mountinfo =
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n";

TEST(CgroupHost, ParsesMountinfo) {
    auto m = parse_mountinfo(kHybridMountinfo);
    ASSERT_EQ(m.size(), 10u);
    EXPECT_EQ(m[0].mountpoint, "/sys/fs/cgroup/cpu");
    EXPECT_FALSE(m[0].v2);
    EXPECT_EQ(m[8].super_opts, (std::vector<std::string>{"rw", "name=systemd"}));
    EXPECT_TRUE(m[9].v2);
    EXPECT_EQ(m[9].mountpoint, "/sys/fs/cgroup/unified");
}

TEST(CgroupHost, UnescapesMountpoints) {
    auto m = parse_mountinfo("1 0 0:1 / /tmp/a\\040b rw - cgroup2 none rw\n");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].mountpoint, "/tmp/a b");
}

TEST(CgroupHost, DetectsLayouts) {
    EXPECT_EQ(*layout_of(parse_mountinfo(kHybridMountinfo)), Layout::Hybrid);
    EXPECT_EQ(*layout_of(parse_mountinfo(kV2Mountinfo)), Layout::V2);
    EXPECT_EQ(*layout_of(parse_mountinfo(kV1Mountinfo)), Layout::V1);
    // systemd's "unified" mode: cgroup2 plus a bare name=systemd hierarchy.
    std::string v2_named =
        std::string(kV2Mountinfo) +
        "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n";
    EXPECT_EQ(*layout_of(parse_mountinfo(v2_named)), Layout::V2);
    EXPECT_FALSE(layout_of(parse_mountinfo("22 1 0:21 / /proc rw - proc proc rw\n")));
}

TEST(CgroupHost, ParsesProcCgroup) {
    auto l = parse_proc_cgroup("2:cpu,cpuacct:/a\n1:name=systemd:/b c\n0::/x\n");
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
    EXPECT_EQ(l[0].path, "/a");
    EXPECT_EQ(l[1].path, "/b c");
    EXPECT_EQ(l[2].id, 0);
    EXPECT_TRUE(l[2].controllers.empty());
}

TEST(CgroupHost, DiscoversHybridHierarchies) {
    auto host = discover(kHybridMountinfo, kHybridProcCgroup);
    ASSERT_TRUE(host) << host.error().message();
    EXPECT_EQ(host->layout, Layout::Hybrid);
    ASSERT_EQ(host->hierarchies.size(), 10u);  // 9 v1 + unified
    const Hierarchy* mem = nullptr;
    for (const auto& h : host->hierarchies)
        if (h.has("memory")) mem = &h;
    ASSERT_NE(mem, nullptr);
    EXPECT_EQ(mem->base, "/sys/fs/cgroup/memory/process_api/876f");
    EXPECT_TRUE(host->hierarchies.back().v2);
    EXPECT_EQ(host->hierarchies.back().base, "/sys/fs/cgroup/unified");
    EXPECT_EQ(host->hierarchies.front().mount_name(), "systemd");
}

TEST(CgroupHost, LeavesOutUnmountedHierarchies) {
    // net_cls is enabled but not mounted (this machine).
    std::string pc = std::string("10:net_cls:/\n") + kHybridProcCgroup;
    auto host = discover(kHybridMountinfo, pc);
    ASSERT_TRUE(host);
    for (const auto& h : host->hierarchies) EXPECT_FALSE(h.has("net_cls"));
}

TEST(CgroupHost, MatchesComountedControllers) {
    auto host = discover(kV1Mountinfo, "3:name=systemd:/user\n2:memory:/m\n1:cpu,cpuacct:/c\n");
    ASSERT_TRUE(host) << host.error().message();
    EXPECT_EQ(host->layout, Layout::V1);
    ASSERT_EQ(host->hierarchies.size(), 3u);
    EXPECT_EQ(host->hierarchies[2].base, "/sys/fs/cgroup/cpu,cpuacct/c");
    EXPECT_TRUE(host->hierarchies[2].has("cpuacct"));
}

TEST(CgroupHost, V2BaseAndNamespacedRoot) {
    auto host = discover(kV2Mountinfo, "0::/user.slice/session-1.scope\n");
    ASSERT_TRUE(host);
    ASSERT_EQ(host->hierarchies.size(), 1u);
    EXPECT_EQ(host->hierarchies[0].base, "/sys/fs/cgroup/user.slice/session-1.scope");
    // A host mount of a subtree (mount root /lxc.payload.c1) seen from the
    // host namespace: the path includes the root, which is stripped.
    auto inside = discover("25 20 0:24 /lxc.payload.c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
                           "0::/lxc.payload.c1/init.scope\n");
    ASSERT_TRUE(inside);
    EXPECT_EQ(inside->hierarchies[0].base, "/sys/fs/cgroup/init.scope");
}

TEST(CgroupHost, MountOfPath) {
    auto m = parse_mountinfo(kHybridMountinfo);
    const auto* mem = mount_of(m, "/sys/fs/cgroup/memory/a/b");
    ASSERT_NE(mem, nullptr);
    EXPECT_EQ(mem->mountpoint, "/sys/fs/cgroup/memory");
    EXPECT_EQ(mount_of(m, "/sys/fs/cgroup/memoryx/a"), nullptr);
    EXPECT_EQ(mount_of(m, "/tmp"), nullptr);
}

TEST(CgroupPlacement, Default) {
    auto p = placement_for("c1", CgroupConfig{});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->container, "kiste.payload/c1");
    EXPECT_EQ(p->monitor, "kiste.monitor/c1");
    EXPECT_EQ(p->monitor_pivot, "kiste.monitor");
    EXPECT_TRUE(p->inner.empty());
    EXPECT_TRUE(p->remove_empty_parent);
}

TEST(CgroupPlacement, Dir) {
    CgroupConfig cfg;
    cfg.dir = "my-cgroup/first";
    auto p = placement_for("c1", cfg);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->container, "my-cgroup/first/c1");
    EXPECT_EQ(p->monitor, "my-cgroup/first/kiste.monitor.c1");
    EXPECT_FALSE(p->remove_empty_parent);
}

TEST(CgroupPlacement, ContainerAndMonitorDirs) {
    CgroupConfig cfg;
    cfg.dir_container = "/ct/c1/";
    cfg.dir_monitor = "mon/c1";
    cfg.dir_container_inner = "ns";
    cfg.dir_monitor_pivot = "pivot";
    auto p = placement_for("c1", cfg);
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_EQ(p->container, "ct/c1");
    EXPECT_EQ(p->inner, "ns");
    EXPECT_EQ(p->monitor, "mon/c1");
    EXPECT_EQ(p->monitor_pivot, "pivot");
}

TEST(CgroupPlacement, Rejects) {
    CgroupConfig cfg;
    cfg.dir = "a/../b";
    EXPECT_FALSE(placement_for("c1", cfg));
    EXPECT_FALSE(placement_for("a/b", CgroupConfig{}));
    EXPECT_FALSE(placement_for("..", CgroupConfig{}));
    CgroupConfig half;
    half.dir_container = "x";
    EXPECT_FALSE(placement_for("c1", half));
    CgroupConfig both;
    both.dir = "d";
    both.dir_container = "x";
    both.dir_monitor = "y";
    EXPECT_FALSE(placement_for("c1", both));
    CgroupConfig overlap;
    overlap.dir_container = "x";
    overlap.dir_monitor = "x/m";
    EXPECT_FALSE(placement_for("c1", overlap));
}

TEST(CgroupPlacement, BaseOutsideOwnMonitor) {
    auto p = *placement_for("c1", CgroupConfig{});
    EXPECT_EQ(base_outside_monitor("/sys/fs/cgroup/memory/x/kiste.monitor/c1", p),
              "/sys/fs/cgroup/memory/x");
    EXPECT_EQ(base_outside_monitor("/sys/fs/cgroup/memory/x", p), "/sys/fs/cgroup/memory/x");
    // Another container's monitor cgroup is not ours to strip.
    EXPECT_EQ(base_outside_monitor("/sys/fs/cgroup/memory/kiste.monitor/c2", p),
              "/sys/fs/cgroup/memory/kiste.monitor/c2");
}

}  // namespace
}  // namespace kiste::cgroup
