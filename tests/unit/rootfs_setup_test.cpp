// setup()/finalize() against the recording fake: the order and arguments of
// every mount call.
#include <gtest/gtest.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fake_sys.hpp"
#include "rootfs/rootfs.hpp"

namespace kiste::rootfs {
namespace {

using fakes::FakeSys;
using Calls = std::vector<std::string>;

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

// A bare rootfs at /rootfs: no /dev, /proc, /sys of its own.
ContainerSpec bare_rootfs(FakeSys& sys) {
    sys.add_dir("/rootfs/etc");
    sys.add_dir("/rootfs/mnt");
    ContainerSpec s;
    s.rootfs.path = "/rootfs";
    s.dev.autodev = false;
    return s;
}

// A logger whose warnings land in a temp file the test can read.
class LogCapture {
public:
    LogCapture() : log_(LogLevel::Fatal) {
        char tmpl[] = "/tmp/kiste-rootfs-log-XXXXXX";
        int fd = ::mkstemp(tmpl);
        if (fd >= 0) ::close(fd);
        path_ = tmpl;
        log_.set_file_level(LogLevel::Warn);
        EXPECT_TRUE(log_.open_file(path_));
    }
    ~LogCapture() { ::unlink(path_.c_str()); }
    Logger& log() { return log_; }
    std::string text() const {
        std::ifstream in(path_);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

private:
    Logger log_;
    std::string path_;
};

Logger& quiet() {
    static Logger log(LogLevel::Fatal);
    return log;
}

TEST(RootfsSetup, RootfsWithProcMixedSysMixedAndAutodev) {
    FakeSys sys;
    sys.add_dir("/rootfs/proc/sys/net");  // what the proc and sysfs mounts show
    sys.add_file("/rootfs/proc/sysrq-trigger");
    sys.add_dir("/rootfs/sys/devices/virtual/net");
    ContainerSpec s;
    s.rootfs.path = "/rootfs";
    s.auto_mounts.proc = AutoMounts::Proc::Mixed;
    s.auto_mounts.sys = AutoMounts::Sys::Mixed;
    s.namespaces[NsKind::Ipc].mode = NamespaceConfig::Mode::New;
    Options o;
    o.console_fd = 987;  // not open: the plan keeps the /proc/self/fd path

    auto st = setup(s, o, sys, quiet());
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(sys.calls,
              (Calls{
                  "mount - / - MS_REC|MS_PRIVATE",
                  "mount /rootfs /rootfs - MS_BIND|MS_REC",
                  "mkdir /rootfs/dev 0755",
                  "mount tmpfs /rootfs/dev tmpfs MS_NOSUID|MS_NOEXEC mode=755,size=65536k",
                  "mknod /rootfs/dev/null c 1:3",
                  "chmod /rootfs/dev/null 0666",
                  "mknod /rootfs/dev/zero c 1:5",
                  "chmod /rootfs/dev/zero 0666",
                  "mknod /rootfs/dev/full c 1:7",
                  "chmod /rootfs/dev/full 0666",
                  "mknod /rootfs/dev/random c 1:8",
                  "chmod /rootfs/dev/random 0666",
                  "mknod /rootfs/dev/urandom c 1:9",
                  "chmod /rootfs/dev/urandom 0666",
                  "mknod /rootfs/dev/tty c 5:0",
                  "chmod /rootfs/dev/tty 0666",
                  "mkdir /rootfs/dev/pts 0755",
                  "mount devpts /rootfs/dev/pts devpts MS_NOSUID|MS_NOEXEC "
                  "newinstance,ptmxmode=0666,mode=0620,gid=5",
                  "symlink /rootfs/dev/ptmx -> pts/ptmx",
                  "mkdir /rootfs/dev/shm 0755",
                  "mount tmpfs /rootfs/dev/shm tmpfs MS_NOSUID|MS_NODEV mode=1777",
                  "mkdir /rootfs/dev/mqueue 0755",
                  "mount mqueue /rootfs/dev/mqueue mqueue MS_NOSUID|MS_NODEV|MS_NOEXEC",
                  "symlink /rootfs/dev/fd -> /proc/self/fd",
                  "symlink /rootfs/dev/stdin -> /proc/self/fd/0",
                  "symlink /rootfs/dev/stdout -> /proc/self/fd/1",
                  "symlink /rootfs/dev/stderr -> /proc/self/fd/2",
                  "create /rootfs/dev/console 0644",
                  "mount /proc/self/fd/987 /rootfs/dev/console - MS_BIND",
                  "mount proc /rootfs/proc proc MS_NOSUID|MS_NODEV|MS_NOEXEC",
                  "mount sysfs /rootfs/sys sysfs MS_NOSUID|MS_NODEV|MS_NOEXEC",
                  "mount /rootfs/sys/devices/virtual/net /rootfs/sys/devices/virtual/net - MS_BIND",
                  "mount - /rootfs/sys - MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND",
                  "fchdir /rootfs",
                  "pivot_root . .",
                  "umount2 . MNT_DETACH",
                  "chdir /",
              }));

    // The launcher writes sysctls here; then /proc/sys becomes read-only.
    sys.calls.clear();
    auto fin = finalize(s, o, sys, quiet());
    ASSERT_TRUE(fin) << fin.error().message();
    EXPECT_EQ(
        sys.calls,
        (Calls{
            "mount /rootfs/proc/sys /rootfs/proc/sys - MS_BIND",
            "mount /rootfs/proc/sys/net /rootfs/proc/sys/net - MS_BIND",
            "mount - /rootfs/proc/sys - MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND",
            "mount /rootfs/proc/sysrq-trigger /rootfs/proc/sysrq-trigger - MS_BIND",
            "mount - /rootfs/proc/sysrq-trigger - "
            "MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND",
        }));

    // Every path inside the rootfs went through openat2 confined to the root.
    ASSERT_FALSE(sys.resolve_flags.empty());
    for (uint64_t r : sys.resolve_flags) EXPECT_EQ(r, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

TEST(RootfsSetup, FstabEntriesWithCreateDirAndFile) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    MountEntry dir = entry("/srv/data", "/mnt/data/deep", MS_BIND | MS_REC | MS_RDONLY, "f:1");
    dir.create = MountEntry::Create::Dir;
    dir.propagation = MS_SLAVE | MS_REC;
    MountEntry file = entry("/etc/resolv.conf", "run/resolv.conf", MS_BIND, "f:2");
    file.create = MountEntry::Create::File;
    MountEntry tmp = entry("tmpfs", "/tmp", MS_NODEV, "f:3", "tmpfs");
    tmp.data = "size=10m";
    tmp.create = MountEntry::Create::Dir;
    s.mounts = {dir, file, tmp};
    sys.vfs["/rootfs/mnt/data/deep"] = ST_NOSUID | ST_NODEV;  // flags a bind remount must keep

    auto st = setup(s, {}, sys, quiet());
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(sys.calls,
              (Calls{
                  "mount - / - MS_REC|MS_PRIVATE",
                  "mount /rootfs /rootfs - MS_BIND|MS_REC",
                  "mkdir /rootfs/mnt/data 0755",
                  "mkdir /rootfs/mnt/data/deep 0755",
                  "mount /srv/data /rootfs/mnt/data/deep - MS_BIND|MS_REC",
                  "mount - /rootfs/mnt/data/deep - MS_RDONLY|MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND",
                  "mount - /rootfs/mnt/data/deep - MS_REC|MS_SLAVE",
                  "mkdir /rootfs/run 0755",
                  "create /rootfs/run/resolv.conf 0644",
                  "mount /etc/resolv.conf /rootfs/run/resolv.conf - MS_BIND",
                  "mkdir /rootfs/tmp 0755",
                  "mount tmpfs /rootfs/tmp tmpfs MS_NODEV size=10m",
                  "fchdir /rootfs",
                  "pivot_root . .",
                  "umount2 . MNT_DETACH",
                  "chdir /",
              }));
}

TEST(RootfsSetup, MissingTargetWithoutCreateFailsNamingTheEntry) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    s.mounts = {entry("/srv", "/srv", MS_BIND, "c.conf:12")};
    auto st = setup(s, {}, sys, quiet());
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), ENOENT);
    EXPECT_NE(st.error().message().find("mount entry at c.conf:12"), std::string::npos)
        << st.error().message();
    EXPECT_NE(st.error().message().find("/srv"), std::string::npos);
}

TEST(RootfsSetup, OptionalFailingEntryIsLoggedAndSkipped) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    MountEntry bad = entry("/dev/sdz1", "mnt", 0, "c.conf:5", "ext4");
    bad.optional = true;
    MountEntry missing = entry("/x", "/nonexistent", MS_BIND, "c.conf:6");
    missing.optional = true;
    s.mounts = {bad, missing, entry("/srv", "etc", MS_BIND, "c.conf:7")};
    sys.mount_errno["/rootfs/mnt"] = ENXIO;
    LogCapture cap;

    auto st = setup(s, {}, sys, cap.log());
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(sys.calls, (Calls{
                             "mount - / - MS_REC|MS_PRIVATE",
                             "mount /rootfs /rootfs - MS_BIND|MS_REC",
                             "mount /dev/sdz1 /rootfs/mnt ext4 0",
                             "mount /srv /rootfs/etc - MS_BIND",
                             "fchdir /rootfs",
                             "pivot_root . .",
                             "umount2 . MNT_DETACH",
                             "chdir /",
                         }));
    const std::string text = cap.text();
    EXPECT_NE(text.find("mount entry at c.conf:5: mounting /dev/sdz1 on /mnt (ext4)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("optional, skipped"), std::string::npos) << text;
    EXPECT_NE(text.find("c.conf:6"), std::string::npos) << text;

    // The same failure without `optional` stops the setup.
    FakeSys sys2;
    s = bare_rootfs(sys2);
    s.mounts = {entry("/dev/sdz1", "mnt", 0, "c.conf:5", "ext4")};
    sys2.mount_errno["/rootfs/mnt"] = ENXIO;
    st = setup(s, {}, sys2, quiet());
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), ENXIO);
    EXPECT_NE(st.error().message().find("mount entry at c.conf:5: mounting /dev/sdz1 on /mnt"),
              std::string::npos)
        << st.error().message();
}

TEST(RootfsSetup, UserNamespaceBindsHostDeviceNodes) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    s.dev.autodev = true;
    s.dev.extra.push_back(DeviceNode{.path = "/dev/fuse", .major = 10, .minor = 229});
    Options o;
    o.in_user_ns = true;
    auto st = setup(s, o, sys, quiet());
    ASSERT_TRUE(st) << st.error().message();
    Calls want = {
        "mount - / - MS_REC|MS_PRIVATE",
        "mount /rootfs /rootfs - MS_BIND|MS_REC",
        "mkdir /rootfs/dev 0755",
        "mount tmpfs /rootfs/dev tmpfs MS_NOSUID|MS_NOEXEC mode=755,size=65536k",
    };
    for (const char* n : {"null", "zero", "full", "random", "urandom", "tty"}) {
        want.push_back(fmt::format("create /rootfs/dev/{} 0000", n));
        want.push_back(fmt::format("mount /dev/{} /rootfs/dev/{} - MS_BIND", n, n));
    }
    Calls head(sys.calls.begin(), sys.calls.begin() + static_cast<long>(want.size()));
    EXPECT_EQ(head, want);
    for (const auto& c : sys.calls) EXPECT_FALSE(c.starts_with("mknod")) << c;
    EXPECT_NE(std::find(sys.calls.begin(), sys.calls.end(),
                        "mount devpts /rootfs/dev/pts devpts MS_NOSUID|MS_NOEXEC "
                        "newinstance,ptmxmode=0666,mode=0620"),
              sys.calls.end());
    EXPECT_NE(
        std::find(sys.calls.begin(), sys.calls.end(), "mount /dev/fuse /rootfs/dev/fuse - MS_BIND"),
        sys.calls.end());
}

TEST(RootfsSetup, ExtraNodesAreCreatedWithModeAndOwner) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    s.dev.extra.push_back(DeviceNode{
        .path = "/dev/net/tun", .major = 10, .minor = 200, .mode = 0660, .uid = 0, .gid = 7});
    auto st = setup(s, {}, sys, quiet());
    ASSERT_TRUE(st) << st.error().message();
    Calls mid(sys.calls.begin() + 2, sys.calls.begin() + 7);
    EXPECT_EQ(mid, (Calls{
                       "mkdir /rootfs/dev 0755",
                       "mkdir /rootfs/dev/net 0755",
                       "mknod /rootfs/dev/net/tun c 10:200",
                       "chmod /rootfs/dev/net/tun 0660",
                       "chown /rootfs/dev/net/tun 0:7",
                   }));
}

// A device cgroup that denies a node's mknod (the talk's device list leaves
// out /dev/full): the host's node is bound instead, as LXC does.
TEST(RootfsSetup, DeniedMknodBindsTheHostsNode) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    s.dev.autodev = true;
    sys.add_chr("/dev/full", makedev(1, 7));
    sys.mknod_errno["/rootfs/dev/full"] = EPERM;
    auto st = setup(s, {}, sys, quiet());
    ASSERT_TRUE(st) << st.error().message();
    auto at = std::find(sys.calls.begin(), sys.calls.end(), "chmod /rootfs/dev/zero 0666");
    ASSERT_NE(at, sys.calls.end());
    EXPECT_EQ(Calls(at + 1, at + 4), (Calls{
                                         "create /rootfs/dev/full 0000",
                                         "mount /dev/full /rootfs/dev/full - MS_BIND",
                                         "mknod /rootfs/dev/random c 1:8",
                                     }));
}

TEST(RootfsSetup, DeniedMknodFailsWhenTheHostsNodeIsAnotherDevice) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    s.dev.autodev = true;
    sys.add_chr("/dev/full", makedev(1, 3));
    sys.mknod_errno["/rootfs/dev/full"] = EPERM;
    auto st = setup(s, {}, sys, quiet());
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), EPERM);
    EXPECT_NE(st.error().message().find("creating device /dev/full"), std::string::npos)
        << st.error().message();
    EXPECT_NE(st.error().message().find("the host's /dev/full is another device (1:3)"),
              std::string::npos)
        << st.error().message();
}

// With a user namespace the parent opens the rootfs (RootfsForChild): the
// child clones that tree and moves it onto itself, without walking the
// rootfs path (whose parents its root may not traverse).
TEST(RootfsSetup, HandedRootfsIsClonedAndMovedOntoItself) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    auto fd = sys.open("/rootfs", O_PATH | O_DIRECTORY, 0);
    ASSERT_TRUE(fd);
    Options o;
    o.in_user_ns = true;
    o.rootfs_fd = fd->get();
    auto st = setup(s, o, sys, quiet());
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(sys.calls, (Calls{
                             "mount - / - MS_REC|MS_PRIVATE",
                             "clone_tree /rootfs",
                             "move_mount /rootfs /rootfs",
                             "fchdir /rootfs",
                             "pivot_root . .",
                             "umount2 . MNT_DETACH",
                             "chdir /",
                         }));
}

// With lxc.rootfs.mount the clone goes onto the stage, also handed over;
// rootfs.options apply to the clone.
TEST(RootfsSetup, HandedRootfsGoesOntoTheHandedStage) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    s.rootfs.mount = "/stage";
    s.rootfs.options = "ro";
    sys.add_dir("/stage");
    auto fd = sys.open("/rootfs", O_PATH | O_DIRECTORY, 0);
    auto stage = sys.open("/stage", O_PATH | O_DIRECTORY, 0);
    ASSERT_TRUE(fd && stage);
    Options o;
    o.in_user_ns = true;
    o.rootfs_fd = fd->get();
    o.rootfs_stage_fd = stage->get();
    auto st = setup(s, o, sys, quiet());
    ASSERT_TRUE(st) << st.error().message();
    ASSERT_GE(sys.calls.size(), 4u);
    EXPECT_EQ(Calls(sys.calls.begin() + 1, sys.calls.begin() + 4),
              (Calls{
                  "clone_tree /rootfs",
                  "move_mount /rootfs /stage",
                  "mount - /rootfs - MS_RDONLY|MS_REMOUNT|MS_BIND",
              }));
}

TEST(RootfsSetup, ApplicationContainer) {
    FakeSys sys;
    sys.add_dir("/proc");
    sys.add_dir("/mnt");
    ContainerSpec s;
    s.auto_mounts.proc = AutoMounts::Proc::Mixed;
    s.mounts = {entry("/srv", "/mnt", MS_BIND, "c.conf:2")};
    auto st = setup(s, {}, sys, quiet());
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(sys.calls, (Calls{
                             "mount - / - MS_REC|MS_PRIVATE",
                             "mount proc /proc proc MS_NOSUID|MS_NODEV|MS_NOEXEC",
                             "mount /srv /mnt - MS_BIND",
                         }));
    sys.add_dir("/proc/sys/net");
    sys.add_file("/proc/sysrq-trigger");
    sys.calls.clear();
    Options no_net;
    no_net.new_net_ns = false;
    auto fin = finalize(s, no_net, sys, quiet());
    ASSERT_TRUE(fin) << fin.error().message();
    EXPECT_EQ(sys.calls,
              (Calls{
                  "mount /proc/sys /proc/sys - MS_BIND",
                  "mount - /proc/sys - MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND",
                  "mount /proc/sysrq-trigger /proc/sysrq-trigger - MS_BIND",
                  "mount - /proc/sysrq-trigger - "
                  "MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND",
              }));
}

TEST(RootfsSetup, ReadonlyRootfsAndRootfsOptions) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    s.rootfs.options = "nosuid";
    s.rootfs.readonly = true;
    sys.vfs["/rootfs"] = ST_NODEV;
    auto st = setup(s, {}, sys, quiet());
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(sys.calls, (Calls{
                             "mount - / - MS_REC|MS_PRIVATE",
                             "mount /rootfs /rootfs - MS_BIND|MS_REC",
                             "mount - /rootfs - MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND",
                             "fchdir /rootfs",
                             "pivot_root . .",
                             "umount2 . MNT_DETACH",
                             "chdir /",
                         }));
    sys.calls.clear();
    auto fin = finalize(s, {}, sys, quiet());
    ASSERT_TRUE(fin) << fin.error().message();
    EXPECT_EQ(sys.calls, (Calls{"mount - /rootfs - MS_RDONLY|MS_NODEV|MS_REMOUNT|MS_BIND"}));
}

TEST(RootfsSetup, MasksAndReadonlyPaths) {
    FakeSys sys;
    sys.add_chr("/dev/null", makedev(1, 3));
    sys.add_file("/proc/kcore");
    sys.add_dir("/sys/firmware");
    sys.add_dir("/proc/bus");
    ContainerSpec s;
    s.security.paths.masked = {"/proc/kcore", "/sys/firmware", "/proc/not-there"};
    s.security.paths.readonly = {"/proc/bus", "/proc/also-not-there"};
    auto fin = finalize(s, {}, sys, quiet());
    ASSERT_TRUE(fin) << fin.error().message();
    EXPECT_EQ(sys.calls,
              (Calls{
                  "mount /proc/bus /proc/bus - MS_BIND|MS_REC",
                  "mount - /proc/bus - MS_RDONLY|MS_REMOUNT|MS_BIND",
                  "mount /dev/null /proc/kcore - MS_BIND",
                  "mount tmpfs /sys/firmware tmpfs MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC mode=755",
              }));
}

TEST(RootfsSetup, MaskRefusesAFakeDevNull) {
    FakeSys sys;
    sys.add_file("/dev/null");  // a regular file pretending
    sys.add_file("/proc/kcore");
    ContainerSpec s;
    s.security.paths.masked = {"/proc/kcore"};
    auto fin = finalize(s, {}, sys, quiet());
    ASSERT_FALSE(fin);
    EXPECT_NE(fin.error().message().find("not the null device"), std::string::npos);
    EXPECT_TRUE(sys.calls.empty());
}

TEST(RootfsSetup, MissingRootfsIsAClearError) {
    FakeSys sys;
    ContainerSpec s;
    s.rootfs.path = "/var/lib/kiste/nope/rootfs";
    auto st = setup(s, {}, sys, quiet());
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), ENOENT);
    EXPECT_NE(st.error().message().find("the rootfs /var/lib/kiste/nope/rootfs does not exist"),
              std::string::npos)
        << st.error().message();
}

TEST(RootfsSetup, PivotRootEinvalFallsBackToChroot) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    sys.pivot_errno = EINVAL;
    LogCapture cap;
    auto st = setup(s, {}, sys, cap.log());
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(sys.calls, (Calls{
                             "mount - / - MS_REC|MS_PRIVATE",
                             "mount /rootfs /rootfs - MS_BIND|MS_REC",
                             "fchdir /rootfs",
                             "pivot_root . .",
                             "mount . / - MS_MOVE",
                             "chroot .",
                             "chdir /",
                         }));
    EXPECT_NE(cap.text().find("falling back to chroot"), std::string::npos);

    FakeSys sys2;
    s = bare_rootfs(sys2);
    sys2.pivot_errno = EPERM;  // anything else is an error, not a reason to chroot
    st = setup(s, {}, sys2, quiet());
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), EPERM);
}

TEST(RootfsSetup, SharedPropagationIsSetAfterPivot) {
    FakeSys sys;
    ContainerSpec s = bare_rootfs(sys);
    s.rootfs.propagation = MS_SHARED;
    auto st = setup(s, {}, sys, quiet());
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(sys.calls.front(), "mount - / - MS_REC|MS_PRIVATE");
    EXPECT_EQ(sys.calls.back(), "mount - /rootfs - MS_REC|MS_SHARED");
}

// lxc.mount.auto cgroup:* is expanded from the running system's cgroups:
// tests/unit/cgroup_mounts_test.cpp (the ops) and
// tests/integration/cgroup_mount_auto_test.cpp (inside a container).

}  // namespace
}  // namespace kiste::rootfs
