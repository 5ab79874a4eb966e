// Value parsers for network keys (interface names, MAC and IP addresses,
// routes). cgroup values are checked by the cgroup layer's table
// (cgroup/values.hpp).
#include <arpa/inet.h>
#include <net/if.h>

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

Result<void> check_ip(std::string_view s, bool v6) {
    std::string str(s);
    unsigned char buf[sizeof(in6_addr)];
    if (inet_pton(v6 ? AF_INET6 : AF_INET, str.c_str(), buf) != 1)
        return fail("{}", v6 ? "expected an IPv6 address" : "expected an IPv4 address");
    return {};
}

namespace {

Result<uint8_t> parse_prefix(std::string_view s, unsigned max) {
    auto n = parse_u64(s);
    if (!n || *n > max) return fail("the prefix length must be 0..{}", max);
    return static_cast<uint8_t>(*n);
}

// LXC's config_ip_prefix: the classful prefix when none is given.
uint8_t class_prefix(std::string_view addr) {
    in_addr a{};
    std::string str(addr);
    inet_pton(AF_INET, str.c_str(), &a);
    uint32_t h = ntohl(a.s_addr);
    if ((h & 0x80000000u) == 0) return 8;
    if ((h & 0xC0000000u) == 0x80000000u) return 16;
    if ((h & 0xE0000000u) == 0xC0000000u) return 24;
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
    std::string_view ip = addr.substr(0, slash);
    KISTE_TRY(check_ip(ip, false));
    a.address = std::string(ip);
    a.prefix = slash == std::string_view::npos
                   ? class_prefix(ip)
                   : KISTE_TRY(parse_prefix(addr.substr(slash + 1), 32));
    if (f.size() == 2) {
        if (!check_ip(f[1], false))
            return fail("expected an IPv4 broadcast address after the address");
        a.broadcast = std::string(f[1]);
    }
    return a;
}

Result<NetInterface::Address> parse_ipv6_address(std::string_view s) {
    auto f = split_blanks(s);
    if (f.size() != 1) return fail("expected ADDRESS[/PREFIX] (e.g. 2001:db8::2/64)");
    NetInterface::Address a;
    size_t slash = f[0].find('/');
    std::string_view ip = f[0].substr(0, slash);
    KISTE_TRY(check_ip(ip, true));
    a.address = std::string(ip);
    a.prefix =
        slash == std::string_view::npos ? 64 : KISTE_TRY(parse_prefix(f[0].substr(slash + 1), 128));
    return a;
}

std::string format_address(const NetInterface::Address& a) {
    std::string out = a.address + "/" + std::to_string(a.prefix);
    if (!a.broadcast.empty()) out += " " + a.broadcast;
    return out;
}

Result<void> check_route(std::string_view s, bool v6) {
    size_t slash = s.find('/');
    if (slash == std::string_view::npos)
        return fail(
            "{}", v6 ? "expected a route like 2001:db8::/64" : "expected a route like 10.0.0.0/24");
    KISTE_TRY(check_ip(s.substr(0, slash), v6));
    KISTE_TRY(parse_prefix(s.substr(slash + 1), v6 ? 128 : 32));
    return {};
}

}  // namespace kiste::lxc::detail
