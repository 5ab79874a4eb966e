// lxc.mount.auto = cgroup:mixed|ro inside a busybox system container on this
// host: the hierarchies are there (name=systemd included on a hybrid host),
// the container's own cgroup is their root, writable under mixed only, and
// the host's other cgroups stay invisible.
#include "cgroup/cgroup.hpp"
#include "cgroup_fixture.hpp"

namespace kiste::test {
namespace {

constexpr const char* kMixed = "lxc.mount.auto = proc:mixed sys:mixed cgroup:mixed\n";

bool hybrid_or_v1() {
    auto l = cgroup::detect_layout();
    return l && *l != cgroup::Layout::V2;
}

using CgroupMountAuto = CgroupContainers;

TEST_F(CgroupMountAuto, MixedShowsTheOwnCgroupWritable) {
    if (!hybrid_or_v1()) GTEST_SKIP() << "the hybrid layout is tested here; v2: CgroupV2Vm";
    const std::string name = unique_name("mixed");
    add_container(name, kMixed);
    auto st = kiste({"start", name});
    ASSERT_EQ(st.code, 0) << st.err;

    auto ls = sh(name, "ls /sys/fs/cgroup");
    ASSERT_EQ(ls.code, 0) << ls.err;
    for (const char* h : {"memory", "pids", "devices", "freezer", "systemd", "unified"})
        EXPECT_NE(ls.out.find(h), std::string::npos) << h << " missing in: " << ls.out;

    // The container's cgroup is the root: no kiste.payload, nothing of the host.
    auto top = sh(name, "ls /sys/fs/cgroup/memory /sys/fs/cgroup/systemd");
    ASSERT_EQ(top.code, 0) << top.err;
    EXPECT_EQ(top.out.find("kiste.payload"), std::string::npos) << top.out;
    EXPECT_EQ(top.out.find(name), std::string::npos) << top.out;
    auto self = sh(name, "cat /proc/self/cgroup");
    EXPECT_NE(self.out.find("memory:/\n"), std::string::npos) << self.out;

    auto mk = sh(name,
                 "mkdir /sys/fs/cgroup/memory/sub && mkdir /sys/fs/cgroup/systemd/sub && "
                 "echo $$ > /sys/fs/cgroup/systemd/sub/cgroup.procs && echo made");
    EXPECT_EQ(mk.code, 0) << mk.err;
    EXPECT_EQ(mk.out, "made\n");
    // On the host the subgroups lie in the container's own cgroups.
    const std::string dirs = cgroup_dirs_of("sub");
    EXPECT_NE(dirs.find("/memory/"), std::string::npos) << dirs;
    EXPECT_NE(dirs.find(name + "/sub"), std::string::npos) << dirs;
    // The tmpfs itself stays read-only: nothing new beside the hierarchies.
    EXPECT_NE(sh(name, "mkdir /sys/fs/cgroup/extra").code, 0);
    EXPECT_EQ(kiste({"stop", name}).code, 0);
    EXPECT_EQ(cgroup_dirs_of(name), "");  // the subgroups went with the container
}

TEST_F(CgroupMountAuto, RoRefusesSubgroups) {
    if (!hybrid_or_v1()) GTEST_SKIP() << "the hybrid layout is tested here; v2: CgroupV2Vm";
    const std::string name = unique_name("ro");
    add_container(name, "lxc.mount.auto = proc:mixed sys:mixed cgroup:ro\n");
    auto st = kiste({"start", name});
    ASSERT_EQ(st.code, 0) << st.err;
    EXPECT_EQ(sh(name,
                 "test -d /sys/fs/cgroup/systemd && test -f /sys/fs/cgroup/memory/"
                 "memory.limit_in_bytes")
                  .code,
              0);
    auto mk = sh(name, "mkdir /sys/fs/cgroup/memory/sub");
    EXPECT_NE(mk.code, 0);
    EXPECT_NE(mk.err.find("Read-only"), std::string::npos) << mk.err;
    EXPECT_NE(sh(name, "mkdir /sys/fs/cgroup/systemd/sub").code, 0);
}

TEST_F(CgroupMountAuto, MixedInAUserNamespaceDelegatesTheCgroup) {
    if (!hybrid_or_v1()) GTEST_SKIP() << "the hybrid layout is tested here; v2: CgroupV2Vm";
    const std::string name = unique_name("userns");
    add_container(
        name, std::string(kMixed) + "lxc.idmap = u 0 200000 65536\nlxc.idmap = g 0 200000 65536\n");
    auto st = kiste({"start", name});
    ASSERT_EQ(st.code, 0) << st.err;
    EXPECT_NE(sh(name, "cat /proc/self/uid_map").out.find("200000"), std::string::npos);
    auto mk = sh(name,
                 "mkdir /sys/fs/cgroup/systemd/sub && echo $$ > "
                 "/sys/fs/cgroup/systemd/sub/cgroup.procs && echo made");
    EXPECT_EQ(mk.code, 0) << mk.err;
    EXPECT_EQ(mk.out, "made\n");
    // The limits stay the host's: the container's root cannot raise them.
    EXPECT_NE(sh(name, "echo 100 > /sys/fs/cgroup/pids/pids.max").code, 0);
}

}  // namespace
}  // namespace kiste::test
