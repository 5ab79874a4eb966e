// The QEMU guest of tests/vm/ itself: a pure cgroup v2 host on which kiste
// runs containers under limits, and, in the network guest, the link types the
// development host's kernel lacks. Elsewhere each case skips, unless the guest
// suite that needs it asked for it (KISTE_TEST_REQUIRE_V2=1 for the cgroup v2
// guest, KISTE_TEST_REQUIRE_VM=1 for the network guest): there a wrong guest
// is a failure, not a skip.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;

bool required(const char* var) {
    const char* v = std::getenv(var);
    return v != nullptr && std::string_view(v) == "1";
}

// Pure v2: cgroup2 at /sys/fs/cgroup and no v1 hierarchy mounted anywhere.
bool pure_v2() {
    if (!fs::exists("/sys/fs/cgroup/cgroup.controllers")) return false;
    std::ifstream f("/proc/self/mountinfo");
    for (std::string line; std::getline(f, line);)
        if (line.find(" - cgroup ") != std::string::npos) return false;
    return true;
}

#define VM_REQUIRE_V2()                                                             \
    do {                                                                            \
        KISTE_REQUIRE_ROOT();                                                       \
        if (!pure_v2()) {                                                           \
            if (required("KISTE_TEST_REQUIRE_V2"))                                  \
                FAIL() << "KISTE_TEST_REQUIRE_V2=1 but this is not a pure v2 host"; \
            GTEST_SKIP() << "needs a pure cgroup v2 host (make test-vm boots one)"; \
        }                                                                           \
    } while (0)

std::vector<std::string> words(const std::string& text) {
    std::istringstream ss(text);
    std::vector<std::string> out;
    for (std::string w; ss >> w;) out.push_back(w);
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(VmSmoke, CgroupV2Host) {
    VM_REQUIRE_V2();
    // Every controller kiste translates v1 keys to, enabled at the root.
    const auto available = words(read_file("/sys/fs/cgroup/cgroup.controllers"));
    const auto enabled = words(read_file("/sys/fs/cgroup/cgroup.subtree_control"));
    for (const char* c : {"cpuset", "cpu", "io", "memory", "pids"}) {
        EXPECT_TRUE(contains(available, c)) << c << " not in cgroup.controllers";
        EXPECT_TRUE(contains(enabled, c)) << c << " not in the root's cgroup.subtree_control";
    }
    // The suite runs from the root cgroup, whose subtree kiste may manage.
    EXPECT_EQ(read_file("/proc/self/cgroup"), "0::/\n");
}

class VmSmokeKiste : public ::testing::Test {
protected:
    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }

    TempDir lxcpath_;
    TempDir run_dir_;
};

TEST_F(VmSmokeKiste, CgroupV2ExecuteRuns) {
    VM_REQUIRE_V2();
    make_busybox_rootfs(lxcpath_ / "rootfs");
    write_file(lxcpath_ / "c.conf", "lxc.rootfs.path = dir:" + (lxcpath_ / "rootfs") + "\n");
    auto r =
        kiste({"execute", "-f", lxcpath_ / "c.conf", "--", "/bin/sh", "-c", "echo ok; exit 3"});
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_EQ(r.out, "ok\n") << r.err;
    EXPECT_TRUE(fs::is_empty(run_dir_.path()));
}

// A system container with v2 limits: set where kiste says, enforced, gone at stop.
TEST_F(VmSmokeKiste, CgroupV2ContainerPidsLimit) {
    VM_REQUIRE_V2();
    const std::string name = "smoke1", dir = lxcpath_ / name;
    fs::create_directories(dir);
    // An own device rule replaces LXC's default device set: the device program
    // has its own cases (CgroupV2Vm.*); this one keeps the limits and the
    // lifecycle apart from it.
    write_file(dir + "/config",
               "lxc.cgroup2.pids.max = 12\nlxc.cgroup2.memory.max = 64M\n"
               "lxc.cgroup.devices.allow = a\n");
    auto r = run({std::string(KISTE_SOURCE_DIR) + "/templates/busybox", "--path", dir, "--name",
                  name, "--rootfs", dir + "/rootfs"});
    ASSERT_EQ(r.code, 0) << r.err;
    r = kiste({"start", name});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string cg = "/sys/fs/cgroup/kiste.payload/" + name;
    EXPECT_TRUE(fs::is_directory(cg)) << cg;
    EXPECT_EQ(read_file(cg + "/pids.max"), "12\n");
    EXPECT_EQ(read_file(cg + "/memory.max"), "67108864\n");
    r = kiste({"cgroup", name, "pids.max"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "12\n");

    // 30 background sleeps cannot all fork under pids.max = 12.
    r = kiste({"attach", name, "--", "/bin/sh", "-c",
               "i=0; while [ $i -lt 30 ]; do sleep 5 & i=$((i+1)); done; "
               "cat /proc/self/cgroup; kill $(jobs -p) 2>/dev/null; wait"});
    EXPECT_NE(r.err.find("can't fork"), std::string::npos) << "out: " << r.out << "err: " << r.err;

    r = kiste({"stop", "-k", name});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_FALSE(fs::exists(cg)) << cg << " left after stop";
    EXPECT_TRUE(mounts_matching(lxcpath_.path()).empty());
}

// The network guest loads 8021q, ipvlan and dummy (run-suite.sh -k): the link
// types kiste's vlan and ipvlan interfaces need, in a private network namespace.
TEST(VmSmoke, LinkTypesVlanIpvlanDummy) {
    KISTE_REQUIRE_ROOT();
    if (!required("KISTE_TEST_REQUIRE_VM"))
        GTEST_SKIP()
            << "runs in the network guest (make test-vm); this host's kernel may lack them";
    auto r = run({"/usr/bin/unshare", "-n", "/bin/sh", "-c",
                  "ip link add d0 type dummy && ip link add link d0 name d0.5 type vlan id 5 && "
                  "ip link add link d0 name iv0 type ipvlan mode l2 && ip -o link show"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("d0.5@d0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("iv0@d0"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kiste::test
