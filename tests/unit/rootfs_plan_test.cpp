#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <optional>

#include "rootfs/rootfs.hpp"

namespace kiste::rootfs {
namespace {

MountEntry entry(std::string source, std::string target, unsigned long flags, std::string origin,
                 std::string fstype = "") {
    MountEntry e;
    e.source = std::move(source);
    e.target = std::move(target);
    e.flags = flags;
    e.origin = std::move(origin);
    e.fstype = std::move(fstype);
    return e;
}

ContainerSpec with_rootfs() {
    ContainerSpec s;
    s.rootfs.path = "/rootfs";
    return s;
}

std::vector<MountOp> plan_ok(const ContainerSpec& s, const Options& o = {}) {
    auto p = plan(s, o);
    EXPECT_TRUE(p) << p.error().message();
    return p ? *p : std::vector<MountOp>{};
}

std::vector<MountOp> finalize_ok(const ContainerSpec& s, const Options& o = {}) {
    auto p = plan_finalize(s, o);
    EXPECT_TRUE(p) << p.error().message();
    return p ? *p : std::vector<MountOp>{};
}

// A copy: the plans in these tests are often temporaries.
std::optional<MountOp> find_target(const std::vector<MountOp>& ops, const std::string& target) {
    auto it = std::find_if(ops.begin(), ops.end(),
                           [&](const MountOp& op) { return op.target == target; });
    if (it == ops.end()) return std::nullopt;
    return *it;
}

size_t count_kind(const std::vector<MountOp>& ops, OpKind k) {
    return static_cast<size_t>(
        std::count_if(ops.begin(), ops.end(), [&](const MountOp& op) { return op.kind == k; }));
}

TEST(RootfsPlan, ApplicationContainerGetsPrivateMountsAndAFreshProc) {
    ContainerSpec s;
    s.mounts.push_back(entry("/srv", "/mnt/srv", MS_BIND, "c.conf:4", "none"));
    auto ops = plan_ok(s);
    ASSERT_EQ(ops.size(), 3U);
    EXPECT_EQ(ops[0].kind, OpKind::Propagation);
    EXPECT_EQ(ops[0].target, "/");
    EXPECT_EQ(ops[0].flags, MS_REC | MS_PRIVATE);
    EXPECT_EQ(ops[1].kind, OpKind::Mount);
    EXPECT_EQ(ops[1].source, "proc");
    EXPECT_EQ(ops[1].target, "proc");
    EXPECT_EQ(ops[1].flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
    EXPECT_EQ(ops[2].target, "mnt/srv");
    EXPECT_EQ(ops[2].fstype, "");  // "none" means no filesystem type
    EXPECT_EQ(ops[2].origin, "c.conf:4");
    EXPECT_EQ(count_kind(ops, OpKind::PivotRoot), 0U);
    EXPECT_EQ(count_kind(ops, OpKind::Mknod), 0U);
}

TEST(RootfsPlan, ApplicationContainerInTheHostPidNamespaceKeepsTheHostProc) {
    ContainerSpec s;
    Options o;
    o.new_pid_ns = false;
    auto ops = plan_ok(s, o);
    EXPECT_FALSE(find_target(ops, "proc"));
}

TEST(RootfsPlan, RootfsOrderBindDevProcEntriesPivot) {
    ContainerSpec s = with_rootfs();
    s.rootfs.options = "ro,nodev";
    s.auto_mounts.proc = AutoMounts::Proc::Mixed;
    s.mounts.push_back(entry("tmpfs", "tmp", 0, "c.conf:9", "tmpfs"));
    auto ops = plan_ok(s);
    ASSERT_GE(ops.size(), 5U);
    EXPECT_EQ(ops[0].kind, OpKind::Propagation);
    EXPECT_EQ(ops[1].kind, OpKind::BindRootfs);
    EXPECT_EQ(ops[1].source, "/rootfs");
    EXPECT_EQ(ops[1].target, "/rootfs");
    EXPECT_EQ(ops[1].flags, MS_RDONLY | MS_NODEV);
    EXPECT_EQ(ops[2].target, "dev");
    EXPECT_EQ(ops[2].fstype, "tmpfs");
    EXPECT_EQ(ops[2].flags, MS_NOSUID | MS_NOEXEC);
    EXPECT_EQ(ops[2].create, MountEntry::Create::Dir);
    EXPECT_EQ(ops.back().kind, OpKind::PivotRoot);
    EXPECT_EQ(ops[ops.size() - 2].target, "tmp");
    EXPECT_EQ(ops[ops.size() - 3].target, "proc");
}

TEST(RootfsPlan, RootfsMountStagesTheBind) {
    ContainerSpec s = with_rootfs();
    s.rootfs.mount = "/usr/lib/kiste/rootfs/";
    auto ops = plan_ok(s);
    EXPECT_EQ(ops[1].target, "/usr/lib/kiste/rootfs");
    s.rootfs.mount = "relative";
    EXPECT_FALSE(plan(s, {}));
}

TEST(RootfsPlan, DevHasTheStandardNodesDevptsShmAndLinksButNoCore) {
    ContainerSpec s = with_rootfs();
    s.dev.pty_max = 64;
    auto ops = plan_ok(s);
    const std::optional<MountOp> null = find_target(ops, "dev/null");
    ASSERT_TRUE(null);
    EXPECT_EQ(null->kind, OpKind::Mknod);
    EXPECT_EQ(null->mode, S_IFCHR | 0666U);
    EXPECT_EQ(null->dev, makedev(1, 3));
    for (const char* n : {"dev/zero", "dev/full", "dev/random", "dev/urandom", "dev/tty"})
        EXPECT_TRUE(find_target(ops, n)) << n;
    const std::optional<MountOp> tty = find_target(ops, "dev/tty");
    EXPECT_EQ(tty->dev, makedev(5, 0));

    const std::optional<MountOp> pts = find_target(ops, "dev/pts");
    ASSERT_TRUE(pts);
    EXPECT_EQ(pts->fstype, "devpts");
    EXPECT_EQ(pts->data, "newinstance,ptmxmode=0666,mode=0620,gid=5,max=64");
    const std::optional<MountOp> ptmx = find_target(ops, "dev/ptmx");
    ASSERT_TRUE(ptmx);
    EXPECT_EQ(ptmx->kind, OpKind::Symlink);
    EXPECT_EQ(ptmx->source, "pts/ptmx");
    const std::optional<MountOp> shm = find_target(ops, "dev/shm");
    ASSERT_TRUE(shm);
    EXPECT_EQ(shm->data, "mode=1777");
    EXPECT_EQ(find_target(ops, "dev/fd")->source, "/proc/self/fd");
    EXPECT_EQ(find_target(ops, "dev/stdin")->source, "/proc/self/fd/0");
    EXPECT_EQ(find_target(ops, "dev/stdout")->source, "/proc/self/fd/1");
    EXPECT_EQ(find_target(ops, "dev/stderr")->source, "/proc/self/fd/2");
    EXPECT_FALSE(find_target(ops, "dev/core"));
    // No console fd, no ipc namespace: neither /dev/console nor /dev/mqueue.
    EXPECT_FALSE(find_target(ops, "dev/console"));
    EXPECT_FALSE(find_target(ops, "dev/mqueue"));
}

TEST(RootfsPlan, ConsoleMqueueAndKmsg) {
    ContainerSpec s = with_rootfs();
    s.namespaces[NsKind::Ipc].mode = NamespaceConfig::Mode::New;
    s.dev.kmsg = true;
    Options o;
    o.console_fd = 987;
    auto ops = plan_ok(s, o);
    const std::optional<MountOp> console = find_target(ops, "dev/console");
    ASSERT_TRUE(console);
    EXPECT_EQ(console->source, "/proc/self/fd/987");
    EXPECT_EQ(console->flags, static_cast<unsigned long>(MS_BIND));
    EXPECT_EQ(console->create, MountEntry::Create::File);
    const std::optional<MountOp> mq = find_target(ops, "dev/mqueue");
    ASSERT_TRUE(mq);
    EXPECT_TRUE(mq->optional);
    ASSERT_TRUE(find_target(ops, "dev/kmsg"));
    EXPECT_EQ(find_target(ops, "dev/kmsg")->source, "console");
}

TEST(RootfsPlan, UserNamespaceBindsHostNodesAndChecksTheTtyGid) {
    ContainerSpec s = with_rootfs();
    Options o;
    o.in_user_ns = true;
    auto ops = plan_ok(s, o);
    EXPECT_EQ(count_kind(ops, OpKind::Mknod), 0U);
    const std::optional<MountOp> null = find_target(ops, "dev/null");
    ASSERT_TRUE(null);
    EXPECT_EQ(null->kind, OpKind::BindDevice);
    EXPECT_EQ(null->source, "/dev/null");
    EXPECT_EQ(count_kind(ops, OpKind::BindDevice), 6U);
    // gid 5 is not mapped: devpts without gid=5.
    EXPECT_EQ(find_target(ops, "dev/pts")->data, "newinstance,ptmxmode=0666,mode=0620");

    s.gid_map.push_back(IdMapping{.container_id = 0, .host_id = 100000, .count = 65536});
    ops = plan_ok(s, o);
    EXPECT_EQ(find_target(ops, "dev/pts")->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    s.gid_map = {IdMapping{.container_id = 0, .host_id = 1000, .count = 5}};
    ops = plan_ok(s, o);
    EXPECT_EQ(find_target(ops, "dev/pts")->data, "newinstance,ptmxmode=0666,mode=0620");
}

TEST(RootfsPlan, ExtraDeviceNodes) {
    ContainerSpec s = with_rootfs();
    s.dev.autodev = false;
    s.dev.extra.push_back(DeviceNode{.path = "/dev/net/tun",
                                     .type = 'c',
                                     .major = 10,
                                     .minor = 200,
                                     .mode = 0620,
                                     .uid = 0,
                                     .gid = 7});
    s.dev.extra.push_back(DeviceNode{.path = "/dev/loop0", .type = 'b', .major = 7, .minor = 0});
    s.dev.extra.push_back(DeviceNode{.path = "/run/fifo", .type = 'p'});
    auto ops = plan_ok(s);
    EXPECT_FALSE(find_target(ops, "dev"));  // autodev off
    const std::optional<MountOp> tun = find_target(ops, "dev/net/tun");
    ASSERT_TRUE(tun);
    EXPECT_EQ(tun->kind, OpKind::Mknod);
    EXPECT_EQ(tun->mode, S_IFCHR | 0620U);
    EXPECT_EQ(tun->dev, makedev(10, 200));
    EXPECT_EQ(tun->gid, 7U);
    EXPECT_EQ(find_target(ops, "dev/loop0")->mode, S_IFBLK | 0666U);
    EXPECT_EQ(find_target(ops, "run/fifo")->mode, S_IFIFO | 0666U);

    Options o;
    o.in_user_ns = true;
    ops = plan_ok(s, o);
    EXPECT_EQ(find_target(ops, "dev/net/tun")->kind, OpKind::BindDevice);
    EXPECT_EQ(find_target(ops, "dev/net/tun")->source, "/dev/net/tun");
    EXPECT_EQ(find_target(ops, "run/fifo")->kind, OpKind::Mknod);  // a fifo needs no privilege
}

TEST(RootfsPlan, SysMixedWithAnOwnNetNamespace) {
    ContainerSpec s = with_rootfs();
    s.dev.autodev = false;
    s.auto_mounts.sys = AutoMounts::Sys::Mixed;
    auto ops = plan_ok(s);
    // Propagation, BindRootfs, sysfs, net self-bind, sysfs remounted ro, pivot.
    ASSERT_EQ(ops.size(), 6U);
    EXPECT_EQ(ops[2].fstype, "sysfs");
    EXPECT_EQ(ops[2].flags & MS_RDONLY, 0UL);
    EXPECT_EQ(ops[3].target, "sys/devices/virtual/net");
    EXPECT_TRUE(ops[3].source_in_root);
    EXPECT_EQ(ops[3].flags, static_cast<unsigned long>(MS_BIND));
    EXPECT_EQ(ops[4].target, "sys");
    EXPECT_TRUE(ops[4].source.empty());
    EXPECT_EQ(ops[4].flags, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    EXPECT_EQ(describe(ops[4]),
              "remounting /sys MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND");
}

TEST(RootfsPlan, SysWithoutAnOwnNetNamespaceBindsTheHostsReadOnly) {
    ContainerSpec s = with_rootfs();
    s.auto_mounts.sys = AutoMounts::Sys::Mixed;
    Options o;
    o.new_net_ns = false;
    const std::optional<MountOp> sys = find_target(plan_ok(s, o), "sys");
    ASSERT_TRUE(sys);
    EXPECT_EQ(sys->source, "/sys");
    EXPECT_FALSE(sys->source_in_root);
    EXPECT_EQ(sys->flags, MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    o.in_user_ns = true;
    s.auto_mounts.sys = AutoMounts::Sys::Rw;
    auto ops = plan_ok(s, o);
    EXPECT_EQ(find_target(ops, "sys")->flags, MS_BIND | MS_REC);
}

TEST(RootfsPlan, SysRoAndRwWithAnOwnNetNamespace) {
    ContainerSpec s = with_rootfs();
    s.auto_mounts.sys = AutoMounts::Sys::Ro;
    EXPECT_EQ(find_target(plan_ok(s), "sys")->flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    s.auto_mounts.sys = AutoMounts::Sys::Rw;
    EXPECT_EQ(find_target(plan_ok(s), "sys")->flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

TEST(RootfsPlan, CgroupAutoMountIsAHookPoint) {
    ContainerSpec s = with_rootfs();
    s.auto_mounts.cgroup = AutoMounts::Cgroup::Mixed;
    EXPECT_EQ(count_kind(plan_ok(s), OpKind::CgroupHook), 1U);
}

TEST(RootfsPlan, Propagation) {
    ContainerSpec s = with_rootfs();
    s.rootfs.propagation = MS_SLAVE;
    auto ops = plan_ok(s);
    EXPECT_EQ(ops.front().flags, MS_REC | MS_SLAVE);
    EXPECT_EQ(ops.back().kind, OpKind::PivotRoot);

    // Shared only after pivot_root, which refuses a shared root.
    s.rootfs.propagation = MS_SHARED;
    ops = plan_ok(s);
    EXPECT_EQ(ops.front().flags, MS_REC | MS_PRIVATE);
    EXPECT_EQ(ops.back().kind, OpKind::Propagation);
    EXPECT_EQ(ops.back().flags, MS_REC | MS_SHARED);
    EXPECT_EQ(ops[ops.size() - 2].kind, OpKind::PivotRoot);
}

TEST(RootfsPlan, MountEntryTargets) {
    ContainerSpec s = with_rootfs();
    s.rootfs.path = "/var/lib/lxc/c1/rootfs";
    s.dev.autodev = false;
    s.mounts.push_back(entry("/a", "/var/lib/lxc/c1/rootfs/mnt/a", MS_BIND, "c.conf:1"));
    MountEntry b = entry("/b", "mnt/../../b", MS_BIND, "c.conf:2");
    b.propagation = MS_SLAVE;
    b.data = "x=1";
    b.optional = true;
    b.create = MountEntry::Create::File;
    s.mounts.push_back(b);
    auto ops = plan_ok(s);
    ASSERT_EQ(ops.size(), 5U);
    EXPECT_EQ(ops[2].target, "mnt/a");
    EXPECT_EQ(ops[3].target, "b");
    EXPECT_EQ(ops[3].propagation, static_cast<unsigned long>(MS_SLAVE));
    EXPECT_EQ(ops[3].data, "x=1");
    EXPECT_TRUE(ops[3].optional);
    EXPECT_EQ(ops[3].create, MountEntry::Create::File);
    EXPECT_EQ(describe(ops[3]), "mount entry at c.conf:2: mounting /b on /b");
}

TEST(RootfsPlan, RelativeSourceIsResolvedInsideTheRoot) {
    ContainerSpec s = with_rootfs();
    MountEntry e = entry("var/lib/data", "/mnt/data", MS_BIND, "c.conf:3");
    e.relative_source = true;
    s.mounts.push_back(e);
    const std::optional<MountOp> op = find_target(plan_ok(s), "mnt/data");
    ASSERT_TRUE(op);
    EXPECT_TRUE(op->source_in_root);
    EXPECT_EQ(op->source, "var/lib/data");
}

TEST(RootfsPlan, BadEntriesAndRootfsFailNamingThem) {
    ContainerSpec s = with_rootfs();
    s.mounts.push_back(entry("/a", "", 0, "c.conf:7"));
    auto p = plan(s, {});
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().message(), "mount entry at c.conf:7: no target");

    s.mounts = {entry("/a", "/", 0, "c.conf:8")};
    p = plan(s, {});
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message().find("c.conf:8"), std::string::npos);

    s.mounts.clear();
    // A source whose kind has no storage backend: refused by name, never
    // taken for an application container on the host's files.
    s.rootfs.path.clear();
    s.rootfs.source = {RootfsSource::Kind::Loop, "/images/c1.img", {}};
    p = plan(s, {});
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message().find("rootfs kind loop is not supported yet"), std::string::npos)
        << p.error().message();
}

TEST(RootfsPlan, FinalizeProcMixedKeepsTheOwnNetSysctlsWritable) {
    ContainerSpec s = with_rootfs();
    s.auto_mounts.proc = AutoMounts::Proc::Mixed;
    auto ops = finalize_ok(s);
    ASSERT_EQ(ops.size(), 4U);
    EXPECT_EQ(ops[0].target, "proc/sys");
    EXPECT_EQ(ops[0].source, "proc/sys");
    EXPECT_TRUE(ops[0].source_in_root);
    EXPECT_EQ(ops[0].flags, static_cast<unsigned long>(MS_BIND));
    EXPECT_EQ(ops[1].target, "proc/sys/net");
    EXPECT_EQ(ops[1].flags, static_cast<unsigned long>(MS_BIND));
    EXPECT_EQ(ops[2].target, "proc/sys");
    EXPECT_EQ(ops[2].flags & (MS_REMOUNT | MS_BIND | MS_RDONLY), MS_REMOUNT | MS_BIND | MS_RDONLY);
    EXPECT_EQ(ops[3].target, "proc/sysrq-trigger");
    EXPECT_EQ(ops[3].flags & (MS_BIND | MS_RDONLY), MS_BIND | MS_RDONLY);

    // The host's net namespace, or no CAP_NET_ADMIN: all of /proc/sys read-only.
    Options o;
    o.new_net_ns = false;
    EXPECT_EQ(finalize_ok(s, o).size(), 3U);
    s.security.caps = CapabilitySets{.bounding = ~(1ULL << CAP_NET_ADMIN)};
    EXPECT_EQ(finalize_ok(s).size(), 3U);
    s.security.caps = CapabilitySets{.bounding = 1ULL << CAP_NET_ADMIN};
    EXPECT_EQ(finalize_ok(s).size(), 4U);

    s.auto_mounts.proc = AutoMounts::Proc::Rw;
    EXPECT_TRUE(finalize_ok(s).empty());
}

TEST(RootfsPlan, FinalizeMasksReadonlyPathsAndTheReadonlyRoot) {
    ContainerSpec s = with_rootfs();
    s.security.paths.readonly = {"/proc/bus"};
    s.security.paths.masked = {"/proc/kcore", "/sys/firmware"};
    s.rootfs.readonly = true;
    auto ops = finalize_ok(s);
    ASSERT_EQ(ops.size(), 4U);
    EXPECT_EQ(ops[0].target, "proc/bus");
    EXPECT_EQ(ops[0].flags, MS_BIND | MS_REC | MS_RDONLY);
    EXPECT_TRUE(ops[0].missing_ok);
    EXPECT_EQ(ops[1].kind, OpKind::Mask);
    EXPECT_EQ(ops[1].target, "proc/kcore");
    EXPECT_TRUE(ops[1].missing_ok);
    EXPECT_EQ(ops[2].target, "sys/firmware");
    EXPECT_EQ(ops[3].kind, OpKind::RemountRootReadonly);

    s.security.paths.masked = {"/"};
    EXPECT_FALSE(plan_finalize(s, {}));
}

}  // namespace
}  // namespace kiste::rootfs
