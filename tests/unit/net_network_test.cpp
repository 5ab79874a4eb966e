// Host networks (kiste network): option checks, dnsmasq's command line, the
// NAT rule text, the record and the dnsmasq identity check. No kernel.
#include <gtest/gtest.h>

#include <algorithm>

#include "net/host_network.hpp"

namespace kiste::net {
namespace {

HostNetworkOptions opts() {
    return {"kbr0", "10.0.3.1/24", "", "10.0.3.2-10.0.3.254", false};
}

bool has_arg(const std::vector<std::string>& v, const std::string& a) {
    return std::find(v.begin(), v.end(), a) != v.end();
}

std::string plan_error(const HostNetworkOptions& o) {
    auto n = plan_host_network(o);
    return n ? std::string("(accepted)") : n.error().message();
}

TEST(NetNetwork, PlanParsesTheRange) {
    auto n = plan_host_network(opts());
    ASSERT_TRUE(n) << n.error().message();
    EXPECT_EQ(n->dhcp_first, "10.0.3.2");
    EXPECT_EQ(n->dhcp_last, "10.0.3.254");
    EXPECT_TRUE(n->nat_table.empty());
    auto o = opts();
    o.dhcp_range = "10.0.3.100,10.0.3.150";
    o.nat = true;
    n = plan_host_network(o);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->dhcp_first, "10.0.3.100");
    EXPECT_EQ(n->nat_table, nat_table_name("kbr0"));
    o.dhcp_range.clear();
    n = plan_host_network(o);
    ASSERT_TRUE(n);
    EXPECT_TRUE(n->dhcp_first.empty());
}

TEST(NetNetwork, PlanRejectsWhatCannotWork) {
    auto o = opts();
    o.name = "a-name-longer-than-15";
    EXPECT_NE(plan_error(o).find("1 to 15 characters"), std::string::npos);
    o = opts();
    o.name = "br/0";
    EXPECT_NE(plan_error(o).find("may hold only"), std::string::npos);
    o = opts();
    o.ipv4 = "10.0.3.1";
    EXPECT_NE(plan_error(o).find("needs a /PREFIX"), std::string::npos);
    o = opts();
    o.ipv4 = "10.0.3.0/24";
    EXPECT_NE(plan_error(o).find("network address"), std::string::npos);
    o = opts();
    o.ipv4 = "10.0.3.1/31";
    EXPECT_NE(plan_error(o).find("no room"), std::string::npos);
    o = opts();
    o.ipv4 = "10.0.3.1/33";
    EXPECT_NE(plan_error(o).find("not a prefix length"), std::string::npos);
    o = opts();
    o.dhcp_range = "10.0.4.2-10.0.4.9";
    EXPECT_NE(plan_error(o).find("is not inside 10.0.3.0/24"), std::string::npos);
    o = opts();
    o.dhcp_range = "10.0.3.9-10.0.3.2";
    EXPECT_NE(plan_error(o).find("ends before it starts"), std::string::npos);
    o = opts();
    o.dhcp_range = "10.0.3.1-10.0.3.9";
    EXPECT_NE(plan_error(o).find("bridge's own address"), std::string::npos);
    o = opts();
    o.dhcp_range = "10.0.3.2-10.0.3.255";  // the broadcast address
    EXPECT_NE(plan_error(o).find("is not inside"), std::string::npos);
    o = opts();
    o.dhcp_range = "10.0.3.2";
    EXPECT_NE(plan_error(o).find("FIRST-LAST"), std::string::npos);
    o = opts();
    o.ipv6 = "fd00::1";
    EXPECT_NE(plan_error(o).find("--ipv6: 'fd00::1' needs a /PREFIX"), std::string::npos);
    o.ipv6 = "fd00::1/64";
    EXPECT_EQ(plan_error(o), "(accepted)");
}

NetInterface::Address a4(const char* text, uint8_t prefix) {
    return {*IpAddress::parse(text), prefix, {}};
}

TEST(NetNetwork, SubnetOverlap) {
    EXPECT_TRUE(subnets_overlap(a4("10.0.3.1", 24), a4("10.0.3.200", 24)));
    EXPECT_TRUE(subnets_overlap(a4("10.0.3.1", 24), a4("10.0.0.1", 16)));  // inside a wider one
    EXPECT_TRUE(subnets_overlap(a4("10.0.3.1", 24), a4("10.0.3.5", 32)));  // a host route's /32
    EXPECT_FALSE(subnets_overlap(a4("10.0.3.1", 24), a4("10.0.4.1", 24)));
    EXPECT_FALSE(subnets_overlap(a4("10.0.3.1", 25), a4("10.0.3.129", 25)));
    EXPECT_FALSE(subnets_overlap(a4("10.0.3.1", 24), a4("127.0.0.1", 8)));
    EXPECT_FALSE(subnets_overlap(a4("10.0.3.1", 24), a4("::a00:301", 24)));  // across families
}

TEST(NetNetwork, DnsmasqServesOnlyTheBridgeAndNoDns) {
    auto n = plan_host_network(opts()).value();
    auto argv = dnsmasq_argv(n, "/run/kiste/@networks/kbr0");
    EXPECT_EQ(argv.at(0), "dnsmasq");
    for (const char* a : {"--conf-file=/dev/null", "--bind-interfaces", "--interface=kbr0",
                          "--except-interface=lo", "--listen-address=10.0.3.1", "--port=0",
                          "--dhcp-range=10.0.3.2,10.0.3.254,255.255.255.0,1h",
                          "--dhcp-leasefile=/run/kiste/@networks/kbr0/dnsmasq.leases",
                          "--pid-file=/run/kiste/@networks/kbr0/dnsmasq.pid"})
        EXPECT_TRUE(has_arg(argv, a)) << a;
}

TEST(NetNetwork, NatRuleMasqueradesOnlyTheSubnetLeaving) {
    auto o = opts();
    o.ipv4 = "10.0.3.77/24";
    o.dhcp_range.clear();
    o.nat = true;
    auto n = plan_host_network(o).value();
    auto s = nat_ruleset(n);
    ASSERT_TRUE(s) << s.error().message();
    const std::string t = n.nat_table;
    EXPECT_EQ(t.rfind("kiste_nat_kbr0_", 0), 0u);
    EXPECT_EQ(*s, "add table ip " + t + "\ndelete table ip " + t + "\ntable ip " + t +
                      " {\n  chain postrouting {\n"
                      "    type nat hook postrouting priority srcnat; policy accept;\n"
                      "    ip saddr 10.0.3.0/24 ip daddr != 10.0.3.0/24 masquerade\n  }\n}\n");
    EXPECT_EQ(nat_remove_script(t), "add table ip " + t + "\ndelete table ip " + t + "\n");
    EXPECT_NE(nat_table_name("br-0"), nat_table_name("br_0"));
}

TEST(NetNetwork, RecordRoundTrip) {
    auto o = opts();
    o.ipv6 = "fd00:3::1/64";
    o.nat = true;
    auto n = plan_host_network(o).value();
    n.dnsmasq_pid = 4242;
    n.dnsmasq_start_time = 123456789012ull;
    auto back = host_network_from_json(host_network_to_json(n));
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(back->options.name, "kbr0");
    EXPECT_EQ(back->options.ipv6, "fd00:3::1/64");
    EXPECT_EQ(back->dhcp_last, "10.0.3.254");
    EXPECT_TRUE(back->options.nat);
    EXPECT_EQ(back->nat_table, n.nat_table);
    EXPECT_EQ(back->dnsmasq_pid, 4242);
    EXPECT_EQ(back->dnsmasq_start_time, 123456789012ull);
    EXPECT_FALSE(host_network_from_json("{\"name\": \"../etc\"}"));
    EXPECT_FALSE(host_network_from_json("not json"));
}

TEST(NetNetwork, DnsmasqIdentityFromCmdline) {
    using namespace std::string_literals;
    const std::string pf = "/run/kiste/@networks/kbr0/dnsmasq.pid";
    EXPECT_TRUE(
        cmdline_is_dnsmasq_for("/usr/sbin/dnsmasq\0--port=0\0--pid-file="s + pf + "\0"s, pf));
    EXPECT_TRUE(cmdline_is_dnsmasq_for("dnsmasq\0--pid-file="s + pf, pf));
    // Another network's dnsmasq, another program, nothing.
    EXPECT_FALSE(cmdline_is_dnsmasq_for("dnsmasq\0--pid-file=/run/other.pid\0"s, pf));
    EXPECT_FALSE(cmdline_is_dnsmasq_for("/bin/sleep\0--pid-file="s + pf + "\0"s, pf));
    EXPECT_FALSE(cmdline_is_dnsmasq_for("", pf));
}

}  // namespace
}  // namespace kiste::net
