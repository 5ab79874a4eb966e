// Typed addresses: parsed once by the LXC front-end (with file:line on a bad
// value), printed back in LXC's syntax by `kiste config NAME KEY`, and the
// IpAddress / IpPrefix value types under them.
#include <gtest/gtest.h>

#include "config/lxc/config.hpp"
#include "config/lxc/values.hpp"

namespace kiste::lxc {
namespace {

using namespace detail;
using G = NetInterface::Gateway;

TEST(IpAddress, ParsesBothFamiliesIntoBytes) {
    auto v4 = IpAddress::parse("10.0.3.5");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->family, AF_INET);
    EXPECT_EQ(v4->size(), 4u);
    EXPECT_EQ(v4->bytes[0], 10);
    EXPECT_EQ(v4->bytes[3], 5);
    EXPECT_EQ(v4->to_string(), "10.0.3.5");
    auto v6 = IpAddress::parse("2001:DB8:0::0001");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->v6());
    EXPECT_EQ(v6->to_string(), "2001:db8::1");  // inet_ntop's canonical form
    // A family asked for is the only one taken.
    EXPECT_FALSE(IpAddress::parse("10.0.3.5", AF_INET6));
    EXPECT_FALSE(IpAddress::parse("::1", AF_INET));
    for (const char* bad : {"", "10.0.3", "10.0.3.256", "10.0.3.5/24", "fe80::1%eth0", "x"})
        EXPECT_FALSE(IpAddress::parse(bad)) << bad;
    EXPECT_EQ(IpAddress{}.to_string(), "");
    EXPECT_EQ(IpAddress::any(AF_INET6).to_string(), "::");
}

TEST(IpAddress, SubnetsByTheBytes) {
    auto a = *IpAddress::parse("10.0.3.200");
    EXPECT_TRUE(a.in_subnet(*IpAddress::parse("10.0.3.1"), 24));
    EXPECT_FALSE(a.in_subnet(*IpAddress::parse("10.0.3.1"), 25));
    EXPECT_TRUE(a.in_subnet(*IpAddress::parse("192.0.0.0"), 0));
    EXPECT_FALSE(a.in_subnet(*IpAddress::parse("::"), 0));  // another family
    EXPECT_FALSE(a.in_subnet(*IpAddress::parse("10.0.3.1"), 33));
    auto b = *IpAddress::parse("fd00:4b::2");
    EXPECT_TRUE(b.in_subnet(*IpAddress::parse("fd00:4b::"), 64));
    EXPECT_FALSE(b.in_subnet(*IpAddress::parse("fd00:4c::"), 31));
}

TEST(IpPrefix, NeedsAPrefixInRange) {
    auto p = IpPrefix::parse("10.0.0.0/24");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->prefix, 24);
    EXPECT_EQ(p->to_string(), "10.0.0.0/24");
    EXPECT_EQ(IpPrefix::parse("2001:db8::/64")->to_string(), "2001:db8::/64");
    for (const char* bad :
         {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/2x", "::/129", "10.0.0.0/-1"})
        EXPECT_FALSE(IpPrefix::parse(bad)) << bad;
}

TEST(LxcNetAddress, Ipv4PrefixDefaultsAndBroadcast) {
    auto a = parse_ipv4_address("10.0.3.5/24 10.0.3.255");
    ASSERT_TRUE(a) << a.error().message();
    EXPECT_EQ(a->address.to_string(), "10.0.3.5");
    EXPECT_EQ(a->prefix, 24);
    EXPECT_EQ(a->broadcast.to_string(), "10.0.3.255");
    EXPECT_EQ(format_address(*a), "10.0.3.5/24 10.0.3.255");
    // No prefix: the class prefix, as LXC.
    EXPECT_EQ(parse_ipv4_address("10.1.2.3")->prefix, 8);
    EXPECT_EQ(parse_ipv4_address("172.16.0.1")->prefix, 16);
    EXPECT_EQ(parse_ipv4_address("192.168.1.2")->prefix, 24);
    EXPECT_EQ(parse_ipv4_address("224.0.0.1")->prefix, 0);
    EXPECT_TRUE(parse_ipv4_address("10.1.2.3")->broadcast.empty());
    EXPECT_FALSE(parse_ipv4_address("10.0.3.5/24 fd00::1"));
    EXPECT_FALSE(parse_ipv4_address("10.0.3.5/24 10.0.3.255 x"));
    EXPECT_FALSE(parse_ipv4_address("fd00::1/64"));
}

TEST(LxcNetAddress, Ipv6PrefixDefaultsTo64) {
    auto a = parse_ipv6_address("2001:db8::5");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->address.v6());
    EXPECT_EQ(a->prefix, 64);
    EXPECT_EQ(parse_ipv6_address("2001:db8::5/128")->prefix, 128);
    EXPECT_FALSE(parse_ipv6_address("2001:db8::5/129"));
    EXPECT_FALSE(parse_ipv6_address("10.0.0.1/8"));
    EXPECT_FALSE(parse_ipv6_address("2001:db8::5/64 2001:db8::ff"));
}

TEST(LxcNetAddress, GatewaysAndRoutesAreTyped) {
    EXPECT_EQ(parse_gateway("auto", false)->kind, G::Kind::Auto);
    EXPECT_EQ(parse_gateway("dev", true)->kind, G::Kind::Dev);
    auto g = parse_gateway("10.0.3.1", false);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->kind, G::Kind::Address);
    EXPECT_EQ(format_gateway(*g), "10.0.3.1");
    EXPECT_FALSE(parse_gateway("10.0.3.1", true));
    EXPECT_EQ(format_gateway(G{}), "");
    auto r = parse_route("2001:db8::/64", true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->to_string(), "2001:db8::/64");
    EXPECT_FALSE(parse_route("10.0.0.0", false));
    EXPECT_FALSE(parse_route("10.0.0.0/24", true));
}

TEST(LxcNetAddress, ConfigParsesOnceAndPrintsLxcSyntaxBack) {
    auto c = load_string(
        "lxc.net.0.type = veth\n"
        "lxc.net.0.ipv4.address = 10.0.3.5/24 10.0.3.255\n"
        "lxc.net.0.ipv4.address = 10.0.4.5\n"
        "lxc.net.0.ipv4.gateway = 10.0.3.1\n"
        "lxc.net.0.ipv6.address = 2001:db8::5/64\n"
        "lxc.net.0.ipv6.gateway = auto\n"
        "lxc.net.0.veth.ipv4.route = 10.9.0.0/16\n",
        "n.conf");
    ASSERT_TRUE(c) << c.error().message();
    const NetInterface& n = c->net.at(0);
    ASSERT_EQ(n.ipv4.size(), 2u);
    EXPECT_EQ(n.ipv4[1].prefix, 8);
    EXPECT_EQ(n.ipv4_gateway.address.to_string(), "10.0.3.1");
    EXPECT_EQ(n.ipv6_gateway.kind, G::Kind::Auto);
    EXPECT_EQ(n.veth_ipv4_routes.at(0).prefix, 16);
    EXPECT_EQ(*get_key(*c, "lxc.net.0.ipv4.address"), "10.0.3.5/24 10.0.3.255\n10.0.4.5/8");
    EXPECT_EQ(*get_key(*c, "lxc.net.0.ipv4.gateway"), "10.0.3.1");
    EXPECT_EQ(*get_key(*c, "lxc.net.0.ipv6.address"), "2001:db8::5/64");
    EXPECT_EQ(*get_key(*c, "lxc.net.0.ipv6.gateway"), "auto");
    EXPECT_EQ(*get_key(*c, "lxc.net.0.veth.ipv4.route"), "10.9.0.0/16");
}

TEST(LxcNetAddress, BadAddressesNameFileLineAndKey) {
    struct Case {
        const char* line;
        const char* message;
    } cases[] = {
        {"lxc.net.0.ipv4.address = 10.0.3.5/24 10.0.3.255 more",
         "n.conf:2: lxc.net.0.ipv4.address: invalid value '10.0.3.5/24 10.0.3.255 more': "
         "expected ADDRESS[/PREFIX] [BROADCAST]"},
        {"lxc.net.0.ipv4.address = 10.0.3.5/24 fd00::1",
         "n.conf:2: lxc.net.0.ipv4.address: invalid value '10.0.3.5/24 fd00::1': expected an "
         "IPv4 broadcast address"},
        {"lxc.net.0.ipv6.address = 10.0.3.5",
         "n.conf:2: lxc.net.0.ipv6.address: invalid value '10.0.3.5': expected an IPv6 address"},
        {"lxc.net.0.ipv6.gateway = 10.0.3.1",
         "n.conf:2: lxc.net.0.ipv6.gateway: invalid value '10.0.3.1': expected an IPv6 address, "
         "'auto' or 'dev'"},
        {"lxc.net.0.veth.ipv4.route = 10.0.0.0",
         "n.conf:2: lxc.net.0.veth.ipv4.route: invalid value '10.0.0.0': expected a route like "
         "10.0.0.0/24"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.line);
        auto r = load_string(std::string("lxc.net.0.type = veth\n") + c.line + "\n", "n.conf");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().message().rfind(c.message, 0), 0u) << r.error().message();
    }
}

}  // namespace
}  // namespace kiste::lxc
