// The secure network's rules on a veth pair the test makes itself: one end
// in a network namespace of the test (the "container"), the other in the
// root namespace with an address of 10.251.X.0/24. Packets go only between
// the two ends. Root only.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "harness.hpp"
#include "net/secure.hpp"

namespace kiste::test {
namespace {

class NetSecure : public ::testing::Test {
protected:
    void SetUp() override {
        KISTE_REQUIRE_ROOT();
        const int pid = ::getpid();
        x_ = std::to_string(pid % 250);
        ns_ = "kiste-sec-" + std::to_string(pid);
        host_ = "ksech" + std::to_string(pid % 1000000);
        peer_ = "ksecc" + std::to_string(pid % 1000000);
        mac_ = fmt::format("02:00:0a:fb:{:02x}:02", pid % 250);
        table_ = net::secure_table_name(run_dir_.path(), "sectest", 0);
        ASSERT_EQ(sh("ip netns add " + ns_), 0);
        made_ = true;
        ASSERT_EQ(
            sh(fmt::format("ip link add {} type veth peer name {} netns {}", host_, peer_, ns_)),
            0);
        ASSERT_EQ(sh(fmt::format("ip addr add 10.251.{0}.1/24 dev {1} && "
                                 "ip addr add fd00:251:{0}::1/64 dev {1} nodad && "
                                 "ip link set {1} up",
                                 x_, host_)),
                  0);
        ASSERT_EQ(sh(in_ns(fmt::format(
                      "ip link set lo up && ip link set {0} address {1} && "
                      "ip addr add 10.251.{2}.2/24 dev {0} && "
                      "ip addr add fd00:251:{2}::2/64 dev {0} nodad && ip link set {0} up",
                      peer_, mac_, x_))),
                  0);
    }

    void TearDown() override {
        if (!made_) return;
        Logger log;
        EXPECT_TRUE(net::secure_remove(table_, log));
        sh("ip link del " + host_ + " 2>/dev/null");
        sh("ip netns del " + ns_);
        EXPECT_NE(sh("ip link show " + host_ + " >/dev/null 2>&1"), 0) << host_ << " left behind";
    }

    static int sh(const std::string& cmd) { return run({"/bin/sh", "-c", cmd}).code; }
    std::string in_ns(const std::string& cmd) const {
        return "ip netns exec " + ns_ + " /bin/sh -c '" + cmd + "'";
    }
    // One ping from inside to the host end, from `src` (an address inside).
    int ping(const std::string& dst, const std::string& src, bool v6 = false) const {
        return sh(in_ns(fmt::format("busybox ping {} -c 2 -W 2 -I {} {} >/dev/null 2>&1",
                                    v6 ? "-6" : "-4", src, dst)));
    }
    int ping4(const std::string& last_octet) const {
        return ping("10.251." + x_ + ".1", "10.251." + x_ + "." + last_octet);
    }
    int ping6(const std::string& last) const {
        return ping("fd00:251:" + x_ + "::1", "fd00:251:" + x_ + "::" + last, true);
    }
    bool table_exists() const {
        return sh("nft list table netdev " + table_ + " >/dev/null 2>&1") == 0;
    }

    Result<std::string> apply() {
        Logger log;
        return net::secure_apply({table_,
                                  host_,
                                  mac_,
                                  {*IpAddress::parse("10.251." + x_ + ".2")},
                                  {*IpAddress::parse("fd00:251:" + x_ + "::2")}},
                                 log);
    }

    TempDir run_dir_;
    std::string x_, ns_, host_, peer_, mac_, table_;
    bool made_ = false;
};

TEST_F(NetSecure, AssignedAddressesPassSpoofedOnesAreDropped) {
    // Without the rules, a second address inside (the spoof) reaches the host:
    // the drops below are the rules' doing.
    ASSERT_EQ(sh(in_ns(fmt::format("ip addr add 10.251.{0}.3/24 dev {1} && "
                                   "ip addr add fd00:251:{0}::3/64 dev {1} nodad",
                                   x_, peer_))),
              0);
    ASSERT_EQ(ping4("3"), 0) << "no connectivity before the rules";
    ASSERT_EQ(ping6("3"), 0) << "no IPv6 connectivity before the rules";
    sh(fmt::format("ip neigh flush dev {}", host_));

    auto t = apply();
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_EQ(*t, table_);
    EXPECT_TRUE(table_exists());

    EXPECT_EQ(ping4("2"), 0) << "the assigned IPv4 address must work";
    EXPECT_EQ(ping6("2"), 0) << "the assigned IPv6 address must work (with NDP)";
    EXPECT_NE(ping4("3"), 0) << "a spoofed IPv4 source passed";
    EXPECT_NE(ping6("3"), 0) << "a spoofed IPv6 source passed";
    // The spoofed address never reached the host's neighbour table.
    auto neigh = run({"/bin/sh", "-c", "ip neigh show dev " + host_});
    EXPECT_EQ(neigh.out.find("10.251." + x_ + ".3 lladdr"), std::string::npos) << neigh.out;

    // A new MAC inside: everything from it is dropped, even the assigned address.
    ASSERT_EQ(sh(in_ns(fmt::format("ip link set {} address 02:00:0a:fb:ee:99", peer_))), 0);
    sh(fmt::format("ip neigh flush dev {}", host_));
    EXPECT_NE(ping4("2"), 0) << "a spoofed MAC passed";
    EXPECT_NE(ping6("2"), 0) << "a spoofed MAC passed (IPv6)";
    // Back to the assigned MAC: it works again.
    ASSERT_EQ(sh(in_ns(fmt::format("ip link set {} address {}", peer_, mac_))), 0);
    sh(fmt::format("ip neigh flush dev {}", host_));
    EXPECT_EQ(ping4("2"), 0);

    // Applying again replaces the table (restart of a monitor).
    ASSERT_TRUE(apply());
    EXPECT_EQ(ping4("2"), 0);
    EXPECT_NE(ping4("3"), 0);

    Logger log;
    ASSERT_TRUE(net::secure_remove(table_, log));
    EXPECT_FALSE(table_exists());
    EXPECT_EQ(ping4("3"), 0) << "the rules are gone, so the spoof passes again";
    // Removing what is gone is fine (crash cleanup runs it blind).
    EXPECT_TRUE(net::secure_remove(table_, log));
}

TEST_F(NetSecure, ArpFromAForeignSenderIsDropped) {
    // busybox arping sends requests with the sender address given by -s (one
    // the interface has, or it cannot bind): before the rules the host answers
    // both, with them only the assigned one.
    ASSERT_EQ(sh(in_ns(fmt::format("ip addr add 10.251.{}.7/24 dev {}", x_, peer_))), 0);
    auto arping = [&](const std::string& last) {
        return sh(
            in_ns(fmt::format("busybox arping -c 2 -w 3 -I {} -s 10.251.{}.{} 10.251.{}.1 "
                              ">/dev/null",
                              peer_, x_, last, x_)));
    };
    ASSERT_EQ(arping("7"), 0) << "no ARP answer before the rules";
    sh(fmt::format("ip neigh flush dev {}", host_));

    auto t = apply();
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_EQ(arping("2"), 0);
    EXPECT_NE(arping("7"), 0) << "ARP with a foreign sender address was answered";
    auto neigh = run({"/bin/sh", "-c", "ip neigh show dev " + host_});
    EXPECT_EQ(neigh.out.find("10.251." + x_ + ".7 "), std::string::npos) << neigh.out;
}

// The same through kiste: `kiste execute` with a routed veth and
// kiste.net.0.secure. The host routes a second address (10.251.X.3) to the
// container too (veth.ipv4.route), so without the rules a packet from it
// reaches the host and is answered; with them it is dropped, while the
// assigned address works. Needs the network setup of src/net (veth router).
class NetSecureContainer : public ::testing::Test {
protected:
    void SetUp() override {
        KISTE_REQUIRE_ROOT();
        const int pid = ::getpid();
        x_ = std::to_string(pid % 250);
        br_ = "ksb" + std::to_string(pid % 1000000);
        name_ = "secbox" + std::to_string(pid);
        // The host's address lives on a bridge of the test's own (a /32, no subnet route).
        ASSERT_EQ(sh(fmt::format("ip link add {0} type bridge && ip link set {0} up && "
                                 "ip addr add 10.251.{1}.1/32 dev {0}",
                                 br_, x_)),
                  0);
        made_ = true;
    }
    void TearDown() override {
        if (made_) sh("ip link del " + br_);
    }
    static int sh(const std::string& cmd) { return run({"/bin/sh", "-c", cmd}).code; }

    RunResult execute(bool secure) {
        const std::string h = "10.251." + x_ + ".1", spoof = "10.251." + x_ + ".3";
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path(),
                                         "execute",      "-n", name_};
        for (const auto& kv : std::vector<std::string>{
                 "lxc.net.0.type=veth", "lxc.net.0.veth.mode=router",
                 "lxc.net.0.veth.pair=ksv" + std::to_string(::getpid() % 1000000),
                 "lxc.net.0.flags=up", "lxc.net.0.name=eth0",
                 fmt::format("lxc.net.0.hwaddr=02:00:0a:fb:{:02x}:02", ::getpid() % 250),
                 "lxc.net.0.ipv4.address=10.251." + x_ + ".2/32", "lxc.net.0.ipv4.gateway=" + h,
                 "lxc.net.0.veth.ipv4.route=" + spoof + "/32",
                 std::string("kiste.net.0.secure=") + (secure ? "1" : "0")}) {
            argv.push_back("-s");
            argv.push_back(kv);
        }
        argv.insert(argv.end(),
                    {"--", "/bin/sh", "-c",
                     fmt::format("ip addr add {1}/32 dev eth0 || exit 9; "
                                 "busybox ping -c 1 -W 2 {0} >/dev/null && echo assigned-ok; "
                                 "busybox ping -c 1 -W 2 -I {1} {0} >/dev/null && echo spoof-ok; "
                                 "true",
                                 h, spoof)});
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }
    bool tables_left() const {
        return run({"/bin/sh", "-c", "nft list tables netdev"}).out.find("kiste_" + name_ + "_") !=
               std::string::npos;
    }

    TempDir lxcpath_, run_dir_;
    std::string x_, br_, name_;
    bool made_ = false;
};

TEST_F(NetSecureContainer, SpoofedSourceDroppedAssignedWorks) {
    auto r = execute(false);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "assigned-ok\nspoof-ok\n") << "without the rules both reach the host";
    EXPECT_FALSE(tables_left());

    r = execute(true);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "assigned-ok\n") << "with the rules only the assigned address does";
    EXPECT_FALSE(tables_left()) << "the secure table outlived the container";
}

// Two busybox system containers on one host, each with a routed veth
// (kiste.net.0.secure as the test says) and an address of its own: A
// 10.251.X.2, B 10.251.X.3, the host 10.251.X.1 on a bridge of the test. A
// counter-only nftables table of the test (family ip, prerouting, policy
// accept, matching only the test's veths) counts what got past the host
// ends' ingress, by host end and source address; the replies to a spoof go
// to B, so A's ping failing alone would prove nothing.
class NetSecurePair : public ::testing::Test {
protected:
    void SetUp() override {
        KISTE_REQUIRE_ROOT();
        const int pid = ::getpid();
        x_ = std::to_string(pid % 250);
        sfx_ = std::to_string(pid % 1000000);
        br_ = "kspb" + sfx_;
        counters_ = "kiste_test_pair_" + sfx_;
        ASSERT_EQ(sh(fmt::format("ip link add {0} type bridge && ip link set {0} up && "
                                 "ip addr add 10.251.{1}.1/32 dev {0}",
                                 br_, x_)),
                  0);
        made_ = true;
        const std::string rules = fmt::format(
            "table ip {0} {{\n counter a_own {{}}\n counter a_spoof {{}}\n counter b_own {{}}\n"
            " chain pre {{\n  type filter hook prerouting priority -300; policy accept;\n"
            "  iifname \"kspa{1}\" ip saddr 10.251.{2}.2 counter name a_own\n"
            "  iifname \"kspa{1}\" ip saddr 10.251.{2}.3 counter name a_spoof\n"
            "  iifname \"kspv{1}\" ip saddr 10.251.{2}.3 counter name b_own\n }}\n}}\n",
            counters_, sfx_, x_);
        write_file(work_ / "counters.nft", rules);
        ASSERT_EQ(sh("nft -f " + (work_ / "counters.nft")), 0) << rules;
        counters_made_ = true;
    }
    void TearDown() override {
        for (const auto& c : started_) kiste({"stop", "-k", c});
        if (counters_made_) sh("nft delete table ip " + counters_);
        if (made_) sh("ip link del " + br_);
        for (const auto* dev : {"kspa", "kspv"})
            EXPECT_NE(sh(fmt::format("ip link show {}{} >/dev/null 2>&1", dev, sfx_)), 0)
                << dev << sfx_ << " left behind";
    }
    static int sh(const std::string& cmd) { return run({"/bin/sh", "-c", cmd}).code; }
    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }
    int in(const std::string& c, const std::string& cmd) {
        return kiste({"attach", c, "--", "/bin/sh", "-c", cmd}).code;
    }
    long counter(const std::string& name) const {
        auto out = run({"/bin/sh", "-c", "nft list counter ip " + counters_ + " " + name}).out;
        auto p = out.find("packets ");
        return p == std::string::npos ? -1 : std::stol(out.substr(p + 8));
    }
    std::string host() const { return "10.251." + x_ + ".1"; }

    // Container NAME (host end DEV, MAC ending in `last`, address 10.251.X.last).
    void start(const std::string& name, const std::string& dev, int last, bool secure) {
        const std::string dir = lxcpath_.path() + "/" + name;
        std::filesystem::create_directories(dir);
        write_file(
            dir + "/config",
            fmt::format("lxc.net.0.type = veth\nlxc.net.0.veth.mode = router\n"
                        "lxc.net.0.veth.pair = {}\nlxc.net.0.flags = up\n"
                        "lxc.net.0.name = eth0\nlxc.net.0.hwaddr = 02:00:0a:fb:{:02x}:{:02x}\n"
                        "lxc.net.0.ipv4.address = 10.251.{}.{}/32\n"
                        "lxc.net.0.ipv4.gateway = {}\nkiste.net.0.secure = {}\n",
                        dev, std::stoi(x_), last, x_, last, host(), secure ? 1 : 0));
        auto r = run({std::string(KISTE_SOURCE_DIR) + "/templates/busybox", "--path", dir, "--name",
                      name, "--rootfs", dir + "/rootfs"});
        ASSERT_EQ(r.code, 0) << r.err;
        r = kiste({"start", name});
        ASSERT_EQ(r.code, 0) << r.err;
        started_.push_back(name);
    }

    // The scenario; `secure` false is the control that shows the spoofs
    // would pass without the rules.
    void scenario(bool secure) {
        const std::string a = "spa" + sfx_, b = "spb" + sfx_, ping = "busybox ping -c 1 -W 2 ";
        start(a, "kspa" + sfx_, 2, secure);
        start(b, "kspv" + sfx_, 3, secure);
        if (HasFatalFailure()) return;
        EXPECT_EQ(in(a, ping + host()), 0) << "A cannot reach the host";
        EXPECT_EQ(in(b, ping + host()), 0) << "B cannot reach the host";
        EXPECT_GT(counter("a_own"), 0);
        EXPECT_GT(counter("b_own"), 0);

        // A takes B's address and sends from it (its ARP for the gateway too).
        const std::string b_addr = "10.251." + x_ + ".3";
        ASSERT_EQ(in(a, "ip addr add " + b_addr + "/32 dev eth0 && ip neigh flush dev eth0"), 0);
        in(a, ping + "-I " + b_addr + " " + host());
        const bool spoof_in = counter("a_spoof") > 0;
        const bool poisoned =
            run({"/bin/sh", "-c", "ip neigh show dev kspa" + sfx_}).out.find(b_addr + " ") !=
            std::string::npos;
        EXPECT_EQ(spoof_in, !secure) << "packets from B's address sent by A";
        EXPECT_EQ(poisoned, !secure) << "the host's neighbour entry for B's address on A's link";
        ASSERT_EQ(in(a, "ip addr del " + b_addr + "/32 dev eth0"), 0);

        // A spoofed MAC: even A's own address is dropped; A's MAC works again.
        ASSERT_EQ(in(a, "ip link set eth0 address 02:00:0a:fb:ee:99 && ip neigh flush dev eth0"),
                  0);
        sh("ip neigh flush dev kspa" + sfx_);
        EXPECT_EQ(in(a, ping + host()) == 0, !secure) << "ping from a spoofed MAC";
        ASSERT_EQ(in(a, fmt::format("ip link set eth0 address 02:00:0a:fb:{:02x}:02 && "
                                    "ip neigh flush dev eth0",
                                    std::stoi(x_))),
                  0);
        sh("ip neigh flush dev kspa" + sfx_);
        EXPECT_EQ(in(a, ping + host()), 0) << "A's own MAC does not work again";
        EXPECT_EQ(in(b, ping + host()), 0);
        for (const auto& c : {a, b}) EXPECT_EQ(kiste({"stop", "-k", c}).code, 0);
        started_.clear();
        EXPECT_EQ(run({"/bin/sh", "-c", "nft list tables netdev"}).out.find("kiste_sp"),
                  std::string::npos)
            << "a secure table outlived its container";
    }

    TempDir lxcpath_, run_dir_, work_;
    std::string x_, sfx_, br_, counters_;
    std::vector<std::string> started_;
    bool made_ = false, counters_made_ = false;
};

TEST_F(NetSecurePair, TwoContainersReachTheHostSpoofedAddressAndMacDropped) {
    scenario(true);
}

TEST_F(NetSecurePair, WithoutSecureTheSameSpoofsPass) {
    scenario(false);
}

}  // namespace
}  // namespace kiste::test
