// kiste network create/ls/rm on this host: a bridge with a test-unique name
// and 10.252.X.1/24, dnsmasq serving DHCP on it, and a DHCP client (busybox
// udhcpc) in a network namespace of the test on a veth attached to it.
// Nothing leaves that bridge; --nat is never used here. Root only.
#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;

class NetNetwork : public ::testing::Test {
protected:
    void SetUp() override {
        KISTE_REQUIRE_ROOT();
        const int pid = ::getpid();
        x_ = std::to_string(pid % 250);
        name_ = "knet" + std::to_string(pid % 1000000);
        ns_ = "kiste-net-" + std::to_string(pid);
        veth_ = "knv" + std::to_string(pid % 1000000);
        active_ = true;
    }

    void TearDown() override {
        if (!active_) return;
        sh("ip netns del " + ns_ + " 2>/dev/null");
        if (sh("ip link show " + name_ + " >/dev/null 2>&1") == 0) {
            ADD_FAILURE() << "bridge " << name_ << " left behind";
            kiste({"network", "rm", "-f", name_});
            sh("ip link del " + name_ + " 2>/dev/null");
        }
        for (const auto& e : fs::recursive_directory_iterator(run_dir_.path()))
            ADD_FAILURE() << "left in the run dir: " << e.path();
    }

    static int sh(const std::string& cmd) { return run({"/bin/sh", "-c", cmd}).code; }
    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }
    std::string net_dir() const { return run_dir_.path() + "/@networks/" + name_; }
    std::string subnet(const std::string& last) const { return "10.252." + x_ + "." + last; }

    // A veth with one end on the bridge and the other in the test's namespace.
    void plug() {
        ASSERT_EQ(sh("ip netns add " + ns_), 0);
        ASSERT_EQ(sh(fmt::format("ip link add {0} type veth peer name eth0 netns {1} && "
                                 "ip link set {0} master {2} up && ip -n {1} link set eth0 up",
                                 veth_, ns_, name_)),
                  0);
    }

    TempDir run_dir_, scratch_;
    std::string x_, name_, ns_, veth_;
    bool active_ = false;
};

TEST_F(NetNetwork, DhcpOnABridgeThenNothingLeft) {
    auto r = kiste({"network", "create", name_, "--ipv4", subnet("1") + "/24", "--dhcp",
                    subnet("10") + "-" + subnet("20")});
    ASSERT_EQ(r.code, 0) << r.err;
    auto addr = run({"/bin/sh", "-c", "ip -o addr show dev " + name_});
    EXPECT_NE(addr.out.find("inet " + subnet("1") + "/24"), std::string::npos) << addr.out;
    EXPECT_EQ(sh("test -d /sys/class/net/" + name_ + "/bridge"), 0);

    // dnsmasq runs, recorded by pid, and its command line names this network.
    const std::string pid = read_file(net_dir() + "/dnsmasq.pid");
    ASSERT_FALSE(pid.empty());
    const std::string proc = "/proc/" + std::to_string(std::stoi(pid));
    std::string cmdline = read_file(proc + "/cmdline");
    EXPECT_NE(cmdline.find(std::string("--interface=") + name_), std::string::npos);

    // A second create of the name fails and harms nothing.
    r = kiste({"network", "create", name_, "--ipv4", subnet("1") + "/24"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("exists already"), std::string::npos) << r.err;
    // So does another name on the same subnet (the host's routing would be ambiguous).
    r = kiste({"network", "create", name_ + "b", "--ipv4", subnet("99") + "/24"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("overlaps " + subnet("1") + "/24 of interface " + name_),
              std::string::npos)
        << r.err;
    EXPECT_NE(sh("ip link show " + name_ + "b >/dev/null 2>&1"), 0);

    plug();
    const std::string script = scratch_ / "udhcpc.sh", lease = scratch_ / "lease";
    write_file(script,
               "#!/bin/sh\n[ \"$1\" = bound ] && echo \"$ip $router\" > " + lease + "\nexit 0\n");
    ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
    r = run({"/bin/sh", "-c",
             "exec ip netns exec \"$0\" busybox udhcpc -i eth0 -n -q -t 8 -T 1 -s \"$1\"", ns_,
             script});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    std::string got = read_file(lease);
    ASSERT_FALSE(got.empty());
    const std::string ip = got.substr(0, got.find(' '));
    const int last = std::stoi(ip.substr(ip.rfind('.') + 1));
    EXPECT_EQ(ip.substr(0, ip.rfind('.') + 1), "10.252." + x_ + ".") << got;
    EXPECT_GE(last, 10);
    EXPECT_LE(last, 20);
    EXPECT_NE(got.find(subnet("1")), std::string::npos) << "router option: " << got;
    EXPECT_NE(read_file(net_dir() + "/dnsmasq.leases").find(ip), std::string::npos);

    r = kiste({"network", "ls"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find(name_), std::string::npos) << r.out;
    r = kiste({"network", "ls", "--format", "json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    bool found = false;
    for (const auto& n : j) {
        if (n.at("name") != name_) continue;
        found = true;
        EXPECT_EQ(n.at("dhcp_range"), subnet("10") + "-" + subnet("20"));
        EXPECT_EQ(n.at("dnsmasq_pid"), std::stoi(pid));
        EXPECT_EQ(n.at("ports"), nlohmann::json::array({veth_}));
    }
    EXPECT_TRUE(found) << r.out;

    // In use: refused without --force.
    r = kiste({"network", "rm", name_});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("in use by " + veth_), std::string::npos) << r.err;

    ASSERT_EQ(sh("ip netns del " + ns_), 0);  // takes the veth pair with it
    r = kiste({"network", "rm", name_});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(sh("ip link show " + name_ + " >/dev/null 2>&1"), 0) << "bridge left";
    EXPECT_EQ(read_file(proc + "/cmdline"), "") << "dnsmasq left running";
    EXPECT_FALSE(fs::exists(run_dir_.path() + "/@networks"));
    r = kiste({"network", "rm", name_});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("no network " + name_), std::string::npos) << r.err;
}

TEST_F(NetNetwork, ForeignInterfaceIsNeverTakenOver) {
    // An interface of that name exists already (the test's own): create
    // fails, and its rollback must not delete what it did not make.
    ASSERT_EQ(sh(fmt::format("ip link add {} type veth peer name {}p", name_, name_.substr(0, 13))),
              0);
    auto r = kiste({"network", "create", name_, "--ipv4", subnet("1") + "/24", "--dhcp",
                    subnet("10") + "-" + subnet("20")});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("interface " + name_ + " exists already"), std::string::npos) << r.err;
    EXPECT_EQ(sh("ip link show " + name_ + " >/dev/null 2>&1"), 0);
    EXPECT_FALSE(fs::exists(run_dir_.path() + "/@networks"));
    ASSERT_EQ(sh("ip link del " + name_), 0);
}

TEST_F(NetNetwork, ForceRemovesABridgeInUse) {
    auto r = kiste({"network", "create", name_, "--ipv4", subnet("1") + "/24", "--ipv6",
                    "fd00:252:" + x_ + "::1/64"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto addr = run({"/bin/sh", "-c", "ip -o addr show dev " + name_});
    EXPECT_NE(addr.out.find("inet6 fd00:252:" + x_ + "::1/64"), std::string::npos) << addr.out;
    EXPECT_FALSE(fs::exists(net_dir() + "/dnsmasq.pid")) << "no --dhcp, no dnsmasq";
    plug();
    r = kiste({"network", "rm", "--force", name_});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(sh("ip link show " + name_ + " >/dev/null 2>&1"), 0);
}

// The end-to-end check: the debian template's container (systemd-
// networkd with DHCP=ipv4, as the template writes it for an interface
// without addresses) gets its address from the network's dnsmasq and
// answers a ping from the host. Downloads Debian once, so only when asked
// (KISTE_TEST_DEBIAN=1, cache in $KISTE_CACHE_DIR or /var/tmp/kiste-test-cache).
TEST_F(NetNetwork, DebianContainerGetsADhcpAddressAndAnswersPing) {
    KISTE_REQUIRE_DEBIAN();
    const std::string cache = debian_cache_dir();
    auto r = kiste({"network", "create", name_, "--ipv4", subnet("1") + "/24", "--dhcp",
                    subnet("10") + "-" + subnet("20")});
    ASSERT_EQ(r.code, 0) << r.err;
    TempDir lxcpath;
    const std::string c = "deb" + std::to_string(::getpid());
    auto lxc = [&](const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path(), "KISTE_CACHE_DIR=" + cache});
    };
    write_file(scratch_ / "deb.conf", "lxc.net.0.type = veth\nlxc.net.0.link = " + name_ +
                                          "\nlxc.net.0.flags = up\nlxc.net.0.name = eth0\n");
    r = lxc({"create", c, "-t", "debian", "-f", scratch_ / "deb.conf"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    r = lxc({"start", c});
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    std::string ip;
    for (int i = 0; r.code == 0 && i < 90 && ip.empty(); ++i) {
        // dnsmasq's lease line: EXPIRY MAC IP HOSTNAME CLIENT-ID
        std::istringstream leases(read_file(net_dir() + "/dnsmasq.leases"));
        for (std::string expiry, mac, addr, rest; leases >> expiry >> mac >> addr;) {
            std::getline(leases, rest);
            if (addr.starts_with("10.252." + x_ + ".")) ip = addr;
        }
        if (ip.empty()) ::sleep(1);
    }
    EXPECT_FALSE(ip.empty()) << "no DHCP lease within 90 s";
    if (!ip.empty()) {
        EXPECT_EQ(sh("busybox ping -c 2 -W 3 " + ip + " >/dev/null"), 0)
            << ip << " does not answer";
    }
    EXPECT_EQ(lxc({"stop", c, "-t", "30"}).code, 0);
    lxc({"stop", "-k", c});
    EXPECT_EQ(lxc({"destroy", "-f", c}).code, 0);
    r = kiste({"network", "rm", name_});
    EXPECT_EQ(r.code, 0) << r.err;
}

}  // namespace
}  // namespace kiste::test
