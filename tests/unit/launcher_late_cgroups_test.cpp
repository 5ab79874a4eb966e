// Which containers may join their v1 cgroups late (see CgroupEntry in
// src/runtime/launcher.hpp): only those whose setup needs neither the cgroup
// namespace nor host-owned files opened from a user namespace.
#include <gtest/gtest.h>

#include "runtime/launcher.hpp"

namespace kiste::runtime {
namespace {

ContainerSpec plain() {
    ContainerSpec s;
    s.namespaces[NsKind::Mount].mode = NamespaceConfig::Mode::New;
    s.namespaces[NsKind::Cgroup].mode = NamespaceConfig::Mode::New;
    return s;
}

TEST(LateCgroups, APlainContainerJoinsLate) {
    EXPECT_TRUE(late_cgroup_entry_possible(plain()));
}

TEST(LateCgroups, AUserNamespaceJoinsEarly) {
    auto s = plain();
    s.namespaces[NsKind::User].mode = NamespaceConfig::Mode::New;
    EXPECT_FALSE(late_cgroup_entry_possible(s));
}

TEST(LateCgroups, CgroupMountsInsideJoinEarly) {
    auto s = plain();
    s.auto_mounts.cgroup = AutoMounts::Cgroup::Mixed;
    EXPECT_FALSE(late_cgroup_entry_possible(s));
    auto t = plain();
    MountEntry m;
    m.source = "cgroup2";
    m.target = "sys/fs/cgroup";
    m.fstype = "cgroup2";
    t.mounts.push_back(m);
    EXPECT_FALSE(late_cgroup_entry_possible(t));
}

TEST(LateCgroups, SetupHooksJoinEarly) {
    auto s = plain();
    s.hooks.mount.push_back(Hook{"/bin/true", {}, {}, 0});
    EXPECT_FALSE(late_cgroup_entry_possible(s));
    auto t = plain();
    t.hooks.start_host.push_back(Hook{"/bin/true", {}, {}, 0});  // runs on the host, after
    EXPECT_TRUE(late_cgroup_entry_possible(t));
}

}  // namespace
}  // namespace kiste::runtime
