// lxc.mount.auto cgroup:*: the tree read from sample mountinfo and
// /proc/self/cgroup files, and the mount ops built from it.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include "rootfs/cgroup_mounts.hpp"

namespace kiste::rootfs {
namespace {

// This machine's layout: v1 controllers, name=systemd, cgroup2 at unified.
constexpr const char* kHybridMounts =
    "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
// Inside a cgroup namespace every path is "/".
constexpr const char* kHybridInNs = "9:name=systemd:/\n3:memory:/\n2:cpu,cpuacct:/\n0::/\n";
constexpr const char* kHybridOutside =
    "9:name=systemd:/user.slice\n3:memory:/kiste.payload/c1\n2:cpu,cpuacct:/\n0::/\n";

constexpr unsigned long kSafe = MS_NOSUID | MS_NODEV | MS_NOEXEC;

TEST(CgroupMounts, HybridTreeHasEveryHierarchyAndTheHostsLinks) {
    auto t = cgroup_tree_from(
        kHybridMounts, kHybridInNs,
        {{"cpu", "cpu,cpuacct"}, {"cpuacct", "cpu,cpuacct"}, {"stray", "nowhere"}});
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_FALSE(t->pure_v2);
    EXPECT_TRUE(t->own_namespace);
    ASSERT_EQ(t->hierarchies.size(), 4U);
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& h : t->hierarchies) got.emplace_back(h.dir, h.options);
    const std::vector<std::pair<std::string, std::string>> want = {{"systemd", "none,name=systemd"},
                                                                   {"memory", "memory"},
                                                                   {"cpu,cpuacct", "cpu,cpuacct"},
                                                                   {"unified", ""}};
    EXPECT_EQ(got, want);
    EXPECT_TRUE(t->hierarchies.back().v2);
    // Only links onto a mounted hierarchy are copied.
    const std::vector<std::pair<std::string, std::string>> links = {{"cpu", "cpu,cpuacct"},
                                                                    {"cpuacct", "cpu,cpuacct"}};
    EXPECT_EQ(t->links, links);
}

TEST(CgroupMounts, OutsideANamespaceOnlyFullIsAccepted) {
    auto t = cgroup_tree_from(kHybridMounts, kHybridOutside, {});
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_FALSE(t->own_namespace);
    auto ops = cgroup_mount_ops(AutoMounts::Cgroup::Mixed, *t, "sys/fs/cgroup");
    ASSERT_FALSE(ops);
    EXPECT_NE(ops.error().message().find("no cgroup namespace"), std::string::npos);
    EXPECT_TRUE(cgroup_mount_ops(AutoMounts::Cgroup::FullRo, *t, "sys/fs/cgroup"));
}

TEST(CgroupMounts, MixedIsWritableHierarchiesOnAReadOnlyTmpfs) {
    auto t = cgroup_tree_from(kHybridMounts, kHybridInNs, {{"cpu", "cpu,cpuacct"}});
    ASSERT_TRUE(t);
    auto ops = cgroup_mount_ops(AutoMounts::Cgroup::Mixed, *t, "sys/fs/cgroup");
    ASSERT_TRUE(ops) << ops.error().message();
    ASSERT_EQ(ops->size(), 7U);
    const auto& v = *ops;
    EXPECT_EQ(v[0].fstype, "tmpfs");
    EXPECT_EQ(v[0].target, "sys/fs/cgroup");
    EXPECT_EQ(v[1].target, "sys/fs/cgroup/systemd");
    EXPECT_EQ(v[1].fstype, "cgroup");
    EXPECT_EQ(v[1].data, "none,name=systemd");
    EXPECT_EQ(v[1].flags, kSafe);
    EXPECT_EQ(v[1].create, MountEntry::Create::Dir);
    EXPECT_EQ(v[2].data, "memory");
    EXPECT_EQ(v[4].fstype, "cgroup2");
    EXPECT_EQ(v[4].target, "sys/fs/cgroup/unified");
    EXPECT_EQ(v[5].kind, OpKind::Symlink);
    EXPECT_EQ(v[5].target, "sys/fs/cgroup/cpu");
    EXPECT_EQ(v[5].source, "cpu,cpuacct");
    EXPECT_EQ(v[6].target, "sys/fs/cgroup");
    EXPECT_EQ(v[6].flags, MS_REMOUNT | MS_BIND | MS_RDONLY | kSafe);
}

TEST(CgroupMounts, RoMountsEveryHierarchyReadOnlyRwKeepsTheTmpfsWritable) {
    auto t = cgroup_tree_from(kHybridMounts, kHybridInNs, {});
    ASSERT_TRUE(t);
    auto ro = cgroup_mount_ops(AutoMounts::Cgroup::Ro, *t, "sys/fs/cgroup");
    ASSERT_TRUE(ro);
    for (size_t i = 1; i + 1 < ro->size(); ++i) EXPECT_EQ((*ro)[i].flags, kSafe | MS_RDONLY);
    EXPECT_EQ(ro->back().flags & MS_REMOUNT, MS_REMOUNT);
    auto rw = cgroup_mount_ops(AutoMounts::Cgroup::Rw, *t, "sys/fs/cgroup");
    ASSERT_TRUE(rw);
    EXPECT_EQ(rw->size(), 5U);  // tmpfs + 4 hierarchies, no read-only remount
    EXPECT_EQ(rw->back().fstype, "cgroup2");
}

TEST(CgroupMounts, PureV2MountsCgroup2Directly) {
    auto t = cgroup_tree_from("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
                              "0::/\n", {});
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_TRUE(t->pure_v2);
    auto ops = cgroup_mount_ops(AutoMounts::Cgroup::FullMixed, *t, "sys/fs/cgroup");
    ASSERT_TRUE(ops);
    ASSERT_EQ(ops->size(), 1U);
    EXPECT_EQ(ops->front().fstype, "cgroup2");
    EXPECT_EQ(ops->front().target, "sys/fs/cgroup");
    EXPECT_EQ(ops->front().flags, kSafe);
}

}  // namespace
}  // namespace kiste::rootfs
