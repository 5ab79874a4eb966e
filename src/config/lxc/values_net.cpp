// Value parsers for network keys (interface names, MAC and IP addresses,
// routes). cgroup values are checked by the cgroup layer's table
// (cgroup/values.hpp).
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cctype>

#include "config/lxc/values.hpp"

namespace kiste::lxc::detail {

Result<void> check_ifname(std::string_view name, bool allow_pattern) {
    if (name.empty()) return fail("expected an interface name");
    if (name.size() >= IFNAMSIZ)
        return fail("interface names have at most {} characters", IFNAMSIZ - 1);
    if (name == "." || name == "..") return fail("not a valid interface name");
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c == '+' && allow_pattern && i + 1 == name.size()) continue;
        if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)))
            return fail("interface names may not hold '/', ':' or blanks");
    }
    return {};
}

Result<void> check_hwaddr(std::string_view s) {
    constexpr std::string_view kWant =
        "expected a MAC address like 00:16:3e:12:34:56 ('x' for a random digit)";
    auto parts = split_on(s, ':');
    if (parts.size() != 6) return fail("{}", kWant);
    for (auto p : parts) {
        if (p.size() != 2) return fail("{}", kWant);
        for (char c : p)
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != 'x' && c != 'X')
                return fail("{}", kWant);
    }
    return {};
}

Result<IpAddress> parse_ip(std::string_view s, bool v6) {
    auto a = IpAddress::parse(s, v6 ? AF_INET6 : AF_INET);
    if (!a) return fail("{}", v6 ? "expected an IPv6 address" : "expected an IPv4 address");
    return *a;
}

namespace {

Result<uint8_t> parse_prefix(std::string_view s, unsigned max) {
    auto n = parse_u64(s);
    if (!n || *n > max) return fail("the prefix length must be 0..{}", max);
    return static_cast<uint8_t>(*n);
}

// LXC's config_ip_prefix: the classful prefix when none is given.
uint8_t class_prefix(const IpAddress& a) {
    const uint8_t first = a.bytes[0];
    if ((first & 0x80U) == 0) return 8;
    if ((first & 0xC0U) == 0x80U) return 16;
    if ((first & 0xE0U) == 0xC0U) return 24;
    return 0;
}

}  // namespace

Result<NetInterface::Address> parse_ipv4_address(std::string_view s) {
    auto f = split_blanks(s);
    if (f.empty() || f.size() > 2)
        return fail("expected ADDRESS[/PREFIX] [BROADCAST] (e.g. 192.168.1.2/24)");
    NetInterface::Address a;
    std::string_view addr = f[0];
    size_t slash = addr.find('/');
    a.address = KISTE_TRY(parse_ip(addr.substr(0, slash), false));
    a.prefix = slash == std::string_view::npos
                   ? class_prefix(a.address)
                   : KISTE_TRY(parse_prefix(addr.substr(slash + 1), 32));
    if (f.size() == 2) {
        auto b = IpAddress::parse(f[1], AF_INET);
        if (!b) return fail("expected an IPv4 broadcast address after the address");
        a.broadcast = *b;
    }
    return a;
}

Result<NetInterface::Address> parse_ipv6_address(std::string_view s) {
    auto f = split_blanks(s);
    if (f.size() != 1) return fail("expected ADDRESS[/PREFIX] (e.g. 2001:db8::2/64)");
    NetInterface::Address a;
    size_t slash = f[0].find('/');
    a.address = KISTE_TRY(parse_ip(f[0].substr(0, slash), true));
    a.prefix =
        slash == std::string_view::npos ? 64 : KISTE_TRY(parse_prefix(f[0].substr(slash + 1), 128));
    return a;
}

std::string format_address(const NetInterface::Address& a) {
    std::string out = a.address.to_string() + "/" + std::to_string(a.prefix);
    if (!a.broadcast.empty()) out += " " + a.broadcast.to_string();
    return out;
}

Result<NetInterface::Gateway> parse_gateway(std::string_view s, bool v6) {
    using G = NetInterface::Gateway;
    if (s == "auto") return G{G::Kind::Auto, {}};
    if (s == "dev") return G{G::Kind::Dev, {}};
    auto a = IpAddress::parse(s, v6 ? AF_INET6 : AF_INET);
    if (!a) return fail("expected an {} address, 'auto' or 'dev'", v6 ? "IPv6" : "IPv4");
    return G{G::Kind::Address, *a};
}

std::string format_gateway(const NetInterface::Gateway& g) {
    using K = NetInterface::Gateway::Kind;
    switch (g.kind) {
        case K::None: return {};
        case K::Auto: return "auto";
        case K::Dev: return "dev";
        case K::Address: return g.address.to_string();
    }
    return {};
}

Result<IpPrefix> parse_route(std::string_view s, bool v6) {
    size_t slash = s.find('/');
    if (slash == std::string_view::npos)
        return fail(
            "{}", v6 ? "expected a route like 2001:db8::/64" : "expected a route like 10.0.0.0/24");
    IpPrefix r;
    r.address = KISTE_TRY(parse_ip(s.substr(0, slash), v6));
    r.prefix = KISTE_TRY(parse_prefix(s.substr(slash + 1), v6 ? 128 : 32));
    return r;
}

}  // namespace kiste::lxc::detail
