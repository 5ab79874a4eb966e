// The talk's own configs on this host, with a busybox
// rootfs: its device list, blkio.weight, a rootfs below a 0700 directory
// with lxc.idmap, and its full example under `kiste start` and `kiste execute`.
// Root only.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "cgroup/cgroup.hpp"
#include "cgroup/host.hpp"
#include "cgroup_fixture.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;

// The talk's device list: everything denied, then null, zero and the consoles.
constexpr const char* kTalkDevices =
    "lxc.cgroup.devices.deny = a\n"
    "# /dev/null and zero\n"
    "lxc.cgroup.devices.allow = c 1:3 rwm\n"
    "lxc.cgroup.devices.allow = c 1:5 rwm\n"
    "# consoles\n"
    "lxc.cgroup.devices.allow = c 5:1 rwm\n"
    "lxc.cgroup.devices.allow = c 5:0 rwm\n"
    "lxc.cgroup.devices.allow = c 4:0 rwm\n"
    "lxc.cgroup.devices.allow = c 4:1 rwm\n";

// /dev/full exists (the host's node, bound: its mknod is denied), opening it
// is denied by the device cgroup, /dev/null works.
constexpr const char* kDeviceProbe =
    "test -c /dev/full && echo full-exists; "
    "(: > /dev/full) 2>&1 | grep -q 'Operation not permitted' && echo full-eperm; "
    "echo x > /dev/null && echo null-ok";
constexpr const char* kDeviceProbeWant = "full-exists\nfull-eperm\nnull-ok\n";

bool host_has_v1_devices() {
    auto l = cgroup::detect_layout();
    return l && *l != cgroup::Layout::V2;
}

class TalkConfig : public CgroupContainers {
protected:
    // A busybox rootfs of its own (no template config) below `dir`.
    static std::string make_rootfs(const std::string& dir, const std::string& name) {
        const std::string rootfs = dir + "/rootfs";
        auto r = run({std::string(KISTE_SOURCE_DIR) + "/templates/busybox", "--rootfs", rootfs,
                      "--name", name});
        EXPECT_EQ(r.code, 0) << r.err;
        return rootfs;
    }

    // A container NAME whose whole config is `config` (lxc.rootfs included).
    void add_config(const std::string& name, const std::string& config) {
        const std::string dir = lxcpath_.path() + "/" + name;
        fs::create_directories(dir);
        write_file(dir + "/config", config);
        names_.push_back(name);
    }
};

TEST_F(TalkConfig, DeviceListStartsAndDeniesTheOthers) {
    if (!host_has_v1_devices())
        GTEST_SKIP() << "the v1 devices controller is tested here (v2: an eBPF program)";
    const std::string name = unique_name("talkdev");
    TempDir work;
    const std::string rootfs = make_rootfs(work.path(), name);
    add_config(name,
               "lxc.rootfs.path = " + rootfs + "\nlxc.init.cmd = /bin/sleep 600\n" + kTalkDevices);
    auto r = kiste({"start", name});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sh(name, kDeviceProbe).out, kDeviceProbeWant);
}

TEST_F(TalkConfig, DeviceListUnderExecute) {
    if (!host_has_v1_devices())
        GTEST_SKIP() << "the v1 devices controller is tested here (v2: an eBPF program)";
    const std::string name = unique_name("talkdevx");
    TempDir work;
    const std::string rootfs = make_rootfs(work.path(), name);
    const std::string conf = work / "talk.conf";
    // Without cgroup mounts inside, execute joins the v1 hierarchies after
    // the rootfs is set up (launcher.hpp, CgroupEntry); with them, before:
    // then the device cgroup denies the mknods.
    for (const char* extra : {"", "lxc.mount.auto = cgroup:mixed\n"}) {
        write_file(conf, "lxc.rootfs.path = " + rootfs + "\n" + kTalkDevices + extra);
        auto r = kiste({"execute", "-n", name, "-f", conf, "--", "/bin/sh", "-c", kDeviceProbe});
        EXPECT_EQ(r.code, 0) << extra << r.err;
        EXPECT_EQ(r.out, kDeviceProbeWant) << extra << r.err;
        EXPECT_EQ(cgroup_dirs_of(name), "");
    }
}

// Where no I/O scheduler with weights (CFQ, BFQ) exists, blkio.weight has no
// file: the key is reported, naming it and why, and the container starts.
TEST_F(TalkConfig, BlkioWeightWithoutWeightFileWarnsAndStarts) {
    const auto layout = cgroup::detect_layout();
    if (!layout || *layout == cgroup::Layout::V2)
        GTEST_SKIP() << "the v1 blkio controller is tested here";
    if (!fs::exists("/sys/fs/cgroup/blkio"))
        GTEST_SKIP() << "no blkio hierarchy mounted at /sys/fs/cgroup/blkio";
    if (fs::exists("/sys/fs/cgroup/blkio/blkio.weight") ||
        fs::exists("/sys/fs/cgroup/blkio/blkio.bfq.weight"))
        GTEST_SKIP() << "this host has a blkio weight file (CFQ or BFQ): the key applies here";
    const std::string want =
        "lxc.cgroup.blkio.weight = 500: the blkio controller has no blkio.weight file on this "
        "host (no CFQ/BFQ I/O scheduler); not applied";

    const std::string name = unique_name("talkblkio");
    TempDir work;
    const std::string rootfs = make_rootfs(work.path(), name);
    add_config(name, "lxc.rootfs.path = " + rootfs +
                         "\nlxc.init.cmd = /bin/sleep 600\nlxc.cgroup.blkio.weight = 500\n");
    auto r = kiste({"start", name});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << r.err;
    EXPECT_EQ(sh(name, "echo in").out, "in\n");

    const std::string exec_name = unique_name("talkblkiox");
    auto x = kiste({"execute", "-n", exec_name, "-s", "lxc.cgroup.blkio.weight=500", "--",
                    "/bin/echo", "ran"});
    EXPECT_EQ(x.code, 0) << x.err;
    EXPECT_EQ(x.out, "ran\n");
    EXPECT_NE(x.err.find(want), std::string::npos) << x.err;
}

// The rootfs below a directory that its mapped root (host uid 100000) cannot
// traverse, as with a `mktemp -d` directory or podman's storage: the parent
// opens it for the child.
TEST_F(TalkConfig, IdmappedRootfsBelowA0700Directory) {
    TempDir work;
    ASSERT_EQ(::chmod(work.path().c_str(), 0700), 0);
    const std::string rootfs = make_rootfs(work.path(), "idmap");
    ASSERT_EQ(run({"/bin/chown", "-R", "100000:100000", rootfs}).code, 0);
    const std::string conf = work / "idmap.conf";
    write_file(conf, "lxc.rootfs.path = " + rootfs +
                         "\nlxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n");
    const std::string name = unique_name("talkidmap");
    auto r = kiste({"execute", "-n", name, "-f", conf, "--", "/bin/true"});
    EXPECT_EQ(r.code, 0) << r.err;
    // The container's root is the mapped root, and it sees its own files.
    r = kiste({"execute", "-n", name, "-f", conf, "--", "/bin/sh", "-c",
               "id -u; stat -c %u /bin/busybox"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "0\n0\n") << r.err;
    EXPECT_EQ(cgroup_dirs_of(name), "");
}

// The talk's full example config (its legacy LXC 0.7 keys), with a busybox
// rootfs, an empty fstab and its veth on a bridge this test makes (no
// address on the host side, no route out), under `kiste start`.
// The talk's full example, legacy keys as it wrote them, with a busybox
// rootfs, an empty fstab and a bridge of the test's own.
std::string talk_example(const std::string& rootfs, const std::string& fstab,
                         const std::string& bridge) {
    return "lxc.utsname = zeig\n"
           "lxc.tty = 4\n"
           "lxc.pts = 1024\n"
           "lxc.mount = " +
           fstab + "\nlxc.rootfs = " + rootfs +
           "\n"
           "lxc.network.type = veth\n"
           "lxc.network.flags = up\n"
           "lxc.network.link = " +
           bridge +
           "\n"
           "lxc.network.hwaddr = 08:00:12:34:56:78\n"
           "lxc.network.ipv4 = 192.168.1.69/24\n"
           "lxc.network.name = eth0\n" +
           kTalkDevices;
}

// A bridge with no address and no route: the container's veth plugs into it.
struct TestBridge {
    std::string name = "kbt" + std::to_string(::getpid() % 100000);
    TestBridge() {
        EXPECT_EQ(run({"/usr/sbin/ip", "link", "add", name, "type", "bridge"}).code, 0);
    }
    ~TestBridge() { run({"/usr/sbin/ip", "link", "del", name}); }
    TestBridge(const TestBridge&) = delete;
    TestBridge& operator=(const TestBridge&) = delete;
};

constexpr const char* kExampleProbe =
    "hostname; ip -o -4 addr show eth0; ip -o link show eth0; "
    "test -c /dev/tty4 && echo tty4-exists; ";

void expect_example_inside(const std::string& out) {
    EXPECT_NE(out.find("zeig\n"), std::string::npos) << out;
    EXPECT_NE(out.find("192.168.1.69/24"), std::string::npos) << out;
    EXPECT_NE(out.find("link/ether 08:00:12:34:56:78 "), std::string::npos) << out;
    EXPECT_NE(out.find("tty4-exists\n"), std::string::npos) << out;
    EXPECT_NE(out.find(kDeviceProbeWant), std::string::npos) << out;
}

TEST_F(TalkConfig, FullExampleStarts) {
    if (!host_has_v1_devices())
        GTEST_SKIP() << "the talk's device list is tested on the v1 devices controller";
    const std::string name = unique_name("talkfull");
    TestBridge bridge;
    TempDir work;
    const std::string rootfs = make_rootfs(work.path(), name);
    write_file(work / "fstab", "");
    add_config(name, talk_example(rootfs, work / "fstab", bridge.name));
    auto r = kiste({"start", name});
    ASSERT_EQ(r.code, 0) << r.err;
    auto state = kiste({"info", "-s", name});
    EXPECT_EQ(state.out, "RUNNING\n") << state.err;
    r = sh(name, std::string(kExampleProbe) + kDeviceProbe);
    EXPECT_EQ(r.code, 0) << r.err;
    expect_example_inside(r.out);
    EXPECT_EQ(kiste({"stop", "-k", name}).code, 0);
}

// The same config, whole, under `kiste execute` (lxc-execute): its ttys are
// allocated too (the device list denies opening them, as the talk wrote it).
TEST_F(TalkConfig, FullExampleRunsUnderExecute) {
    if (!host_has_v1_devices())
        GTEST_SKIP() << "the talk's device list is tested on the v1 devices controller";
    const std::string name = unique_name("talkfullx");
    TestBridge bridge;
    TempDir work;
    const std::string rootfs = make_rootfs(work.path(), name);
    write_file(work / "fstab", "");
    write_file(work / "talk.conf", talk_example(rootfs, work / "fstab", bridge.name));
    auto r = kiste({"execute", "-n", name, "-f", work / "talk.conf", "--", "/bin/sh", "-c",
                    std::string(kExampleProbe) + kDeviceProbe});
    EXPECT_EQ(r.code, 0) << r.err;
    expect_example_inside(r.out);
    EXPECT_EQ(cgroup_dirs_of(name), "");
}

}  // namespace
}  // namespace kiste::test
