// The secure network's nftables rule text (pure; no kernel involved).
#include <gtest/gtest.h>

#include "net/secure.hpp"

namespace kiste::net {
namespace {

IpAddress ip(const char* text) {
    return IpAddress::parse(text).value();
}

SecureRules sample() {
    return {"kiste_c1_12345678_0",
            "vkiste0",
            "02:AA:00:00:00:01",
            {ip("10.0.0.2")},
            {ip("2001:db8::2")}};
}

bool has(const std::string& s, const std::string& needle) {
    return s.find(needle) != std::string::npos;
}

TEST(NetSecure, Eui64LinkLocal) {
    EXPECT_EQ(eui64_link_local("02:00:00:00:00:01").value(), "fe80::ff:fe00:1");
    EXPECT_EQ(eui64_link_local("08:00:12:34:56:78").value(), "fe80::a00:12ff:fe34:5678");
    EXPECT_FALSE(eui64_link_local("08:00:12:34:56").has_value());
}

TEST(NetSecure, RulesetFiltersOnTheHostEndWithPolicyDrop) {
    auto s = secure_ruleset(sample());
    ASSERT_TRUE(s) << s.error().message();
    // Atomic replacement of an older table, then the table itself.
    EXPECT_EQ(s->rfind("add table netdev kiste_c1_12345678_0\n"
                       "delete table netdev kiste_c1_12345678_0\n"
                       "table netdev kiste_c1_12345678_0 {\n",
                       0),
              0u);
    EXPECT_TRUE(has(*s, "hook ingress device \"vkiste0\" priority -500; policy drop;"));
    // The MAC is normalised to lower case; only it reaches the per-protocol chains.
    EXPECT_TRUE(has(*s,
                    "ether saddr 02:aa:00:00:00:01 ether type vmap { arp : jump arp_in, "
                    "ip : jump ip4_in, ip6 : jump ip6_in }"));
}

TEST(NetSecure, ArpOnlyFromTheAssignedPair) {
    auto s = secure_ruleset(sample()).value();
    EXPECT_TRUE(has(s, "arp htype != 1 drop"));
    EXPECT_TRUE(has(s, "arp saddr ether != 02:aa:00:00:00:01 drop"));
    EXPECT_TRUE(has(s, "arp saddr ip { 10.0.0.2 } accept"));
    EXPECT_TRUE(has(s, "arp operation request arp saddr ip 0.0.0.0 accept"));
}

TEST(NetSecure, Ipv4SourceMustBeAssigned) {
    auto r = sample();
    r.ipv4 = {ip("10.0.0.3"), ip("10.0.0.2"), ip("10.0.0.3")};
    auto s = secure_ruleset(r).value();
    EXPECT_TRUE(has(s, "  chain ip4_in {\n    ip saddr { 10.0.0.2, 10.0.0.3 } accept\n  }\n"));
}

TEST(NetSecure, NoIpv4MeansNoIpv4) {
    auto r = sample();
    r.ipv4.clear();
    auto s = secure_ruleset(r).value();
    EXPECT_TRUE(has(s, "  chain ip4_in {\n  }\n"));
    EXPECT_FALSE(has(s, "arp saddr ip {"));
}

TEST(NetSecure, Ipv6SourcesTargetsAndOptions) {
    auto s = secure_ruleset(sample()).value();
    // 02:aa:00:00:00:01 -> fe80::aa:ff:fe00:1
    EXPECT_TRUE(has(s, "ip6 saddr { 2001:db8::2, fe80::aa:ff:fe00:1 } accept"));
    EXPECT_TRUE(has(s,
                    "icmpv6 type nd-neighbor-advert @th,64,128 != { "
                    "0x20010db8000000000000000000000002, "
                    "0xfe8000000000000000aa00fffe000001 } drop"));
    EXPECT_TRUE(has(s, "@th,192,8 { 1, 2 } @th,208,48 != 0x02aa00000001 drop"));
    EXPECT_TRUE(has(s, "icmpv6 type nd-router-solicit @th,64,8 1 @th,80,48 != 0x02aa00000001"));
    EXPECT_TRUE(has(s, "icmpv6 type { nd-router-advert, nd-redirect } drop"));
    EXPECT_TRUE(has(s, "ip6 saddr :: icmpv6 type { nd-neighbor-solicit,"));
    // The drops come before the accepts of the same chain.
    EXPECT_LT(s.find("nd-neighbor-advert @th"), s.find("ip6 saddr {"));
}

TEST(NetSecure, RejectsBadInput) {
    auto r = sample();
    r.mac = "01:00:5e:00:00:01";  // multicast
    EXPECT_FALSE(secure_ruleset(r));
    r = sample();
    r.mac = "zz:00:00:00:00:01";
    EXPECT_FALSE(secure_ruleset(r));
    r = sample();
    r.host_ifname = "veth\"; flush ruleset";
    EXPECT_FALSE(secure_ruleset(r));
    r = sample();
    r.host_ifname = "a-name-too-long-for-linux";
    EXPECT_FALSE(secure_ruleset(r));
    r = sample();
    r.ipv4 = {ip("2001:db8::9")};  // the wrong family
    auto e = secure_ruleset(r);
    ASSERT_FALSE(e);
    EXPECT_TRUE(has(e.error().message(), "'2001:db8::9' is not an IPv4 address"));
    r = sample();
    r.ipv4 = {ip("0.0.0.0")};
    EXPECT_FALSE(secure_ruleset(r));
    r = sample();
    r.ipv6 = {ip("ff02::1")};
    EXPECT_FALSE(secure_ruleset(r));
    r = sample();
    r.table = "bad name";
    EXPECT_FALSE(secure_ruleset(r));
}

TEST(NetSecure, TableNameIsDeterministicAndDistinct) {
    auto a = secure_table_name("/run/kiste", "web-1.x", 0);
    EXPECT_EQ(a, secure_table_name("/run/kiste", "web-1.x", 0));
    EXPECT_EQ(a.rfind("kiste_web_1_x_", 0), 0u);
    EXPECT_NE(a, secure_table_name("/run/kiste", "web-1.x", 1));
    EXPECT_NE(a, secure_table_name("/run/kiste/p-1", "web-1.x", 0));
    // '-' and '_' fold to the same readable part; the hash keeps them apart.
    EXPECT_NE(secure_table_name("/r", "a-b", 0), secure_table_name("/r", "a_b", 0));
    auto r = sample();
    r.table = secure_table_name("/run/kiste", std::string(64, 'n'), 7);
    EXPECT_TRUE(secure_ruleset(r));
}

TEST(NetSecure, RemoveScriptIsIdempotent) {
    EXPECT_EQ(secure_remove_script("kiste_x_0"),
              "add table netdev kiste_x_0\ndelete table netdev kiste_x_0\n");
}

}  // namespace
}  // namespace kiste::net
