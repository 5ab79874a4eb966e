// The pure half of host networks: checking the options, dnsmasq's command
// line, the NAT rule text and the record's JSON.
#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "base/json.hpp"
#include "base/parse_number.hpp"
#include "net/host_network.hpp"
#include "net/secure_nft.hpp"

namespace kiste::net {
namespace {

struct V4Net {
    uint32_t addr = 0;  // host order
    uint8_t prefix = 0;
    [[nodiscard]] uint32_t mask() const { return prefix == 0 ? 0 : ~0u << (32 - prefix); }
    [[nodiscard]] uint32_t network() const { return addr & mask(); }
    [[nodiscard]] uint32_t broadcast() const { return network() | ~mask(); }
};

Result<uint32_t> parse_v4(const std::string& text, const std::string& what) {
    in_addr a{};
    if (::inet_pton(AF_INET, text.c_str(), &a) != 1)
        return fail("{}: '{}' is not an IPv4 address", what, text);
    return ntohl(a.s_addr);
}

std::string v4_text(uint32_t host_order) {
    in_addr a{htonl(host_order)};
    char buf[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &a, buf, sizeof buf);
    return buf;
}

Result<uint8_t> parse_prefix(const std::string& text, unsigned max, const std::string& what) {
    unsigned p = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || p > max)
        return fail("{}: '{}' is not a prefix length (0..{})", what, text, max);
    return static_cast<uint8_t>(p);
}

NetInterface::Address address_of(uint32_t host_order, uint8_t prefix) {
    NetInterface::Address a;
    a.address = IpAddress::any(AF_INET);
    const uint32_t net = htonl(host_order);
    std::memcpy(a.address.bytes.data(), &net, 4);
    a.prefix = prefix;
    return a;
}

Result<V4Net> parse_v4_net(const std::string& text) {
    const std::string what = "--ipv4";
    auto slash = text.find('/');
    if (slash == std::string::npos) return fail("{}: '{}' needs a /PREFIX", what, text);
    V4Net n;
    n.addr = KISTE_TRY(parse_v4(text.substr(0, slash), what));
    n.prefix = KISTE_TRY(parse_prefix(text.substr(slash + 1), 32, what));
    if (n.prefix < 8 || n.prefix > 30)
        return fail("{}: a /{} network has no room for a bridge and containers (use /8../30)", what,
                    n.prefix);
    if (n.addr == n.network() || n.addr == n.broadcast())
        return fail("{}: {} is the network's {} address, not a host address", what, v4_text(n.addr),
                    n.addr == n.network() ? "network" : "broadcast");
    return n;
}

Result<NetInterface::Address> parse_v6(const std::string& text) {
    const std::string what = "--ipv6";
    auto slash = text.find('/');
    if (slash == std::string::npos) return fail("{}: '{}' needs a /PREFIX", what, text);
    auto a = IpAddress::parse(text.substr(0, slash), AF_INET6);
    if (!a) return fail("{}: '{}' is not an IPv6 address", what, text.substr(0, slash));
    auto p = KISTE_TRY(parse_prefix(text.substr(slash + 1), 128, what));
    if (p == 0) return fail("{}: /0 is not a network", what);
    return NetInterface::Address{*a, p, {}};
}

Status check_name(const std::string& name) {
    if (name.empty() || name.size() > 15)
        return fail("network name '{}' must be 1 to 15 characters (it names the bridge)", name);
    if (name == "." || name == ".." || name[0] == '-')
        return fail("'{}' is not a valid network name", name);
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            return fail("network name '{}' may hold only letters, digits, '-', '_' and '.'", name);
    return {};
}

}  // namespace

std::string networks_dir(const std::string& run_root) {
    return run_root + "/@networks";
}

Result<HostNetwork> plan_host_network(const HostNetworkOptions& o) {
    KISTE_TRY(check_name(o.name));
    HostNetwork n;
    n.options = o;
    if (o.ipv4.empty()) return fail("network {}: --ipv4 ADDR/PREFIX is required", o.name);
    V4Net net = KISTE_TRY_CTX(parse_v4_net(o.ipv4), "network {}", o.name);
    n.bridge_ipv4 = address_of(net.addr, net.prefix);
    if (!o.ipv6.empty()) n.bridge_ipv6 = KISTE_TRY_CTX(parse_v6(o.ipv6), "network {}", o.name);
    if (!o.dhcp_range.empty()) {
        auto sep = o.dhcp_range.find_first_of("-,");
        if (sep == std::string::npos)
            return fail("network {}: --dhcp '{}' must be FIRST-LAST", o.name, o.dhcp_range);
        const std::string what = "--dhcp";
        uint32_t first = KISTE_TRY(parse_v4(o.dhcp_range.substr(0, sep), what));
        uint32_t last = KISTE_TRY(parse_v4(o.dhcp_range.substr(sep + 1), what));
        auto inside = [&](uint32_t a) {
            return (a & net.mask()) == net.network() && a != net.network() && a != net.broadcast();
        };
        if (!inside(first) || !inside(last))
            return fail("network {}: --dhcp {} is not inside {}/{}", o.name, o.dhcp_range,
                        v4_text(net.network()), net.prefix);
        if (first > last)
            return fail("network {}: --dhcp {} ends before it starts", o.name, o.dhcp_range);
        if (net.addr >= first && net.addr <= last)
            return fail("network {}: --dhcp {} holds the bridge's own address {}", o.name,
                        o.dhcp_range, v4_text(net.addr));
        n.dhcp_first = v4_text(first);
        n.dhcp_last = v4_text(last);
    }
    if (o.nat) n.nat_table = nat_table_name(o.name);
    return n;
}

bool subnets_overlap(const NetInterface::Address& a, const NetInterface::Address& b) {
    // Two prefixes overlap when they agree on the shorter one's bits.
    return a.address.in_subnet(b.address, std::min(a.prefix, b.prefix));
}

std::vector<std::string> dnsmasq_argv(const HostNetwork& n, const std::string& dir) {
    const auto& o = n.options;
    V4Net net{};
    if (auto p = parse_v4_net(o.ipv4)) net = *p;
    const std::string gw = v4_text(net.addr);
    return {
        "dnsmasq",
        // No /etc/dnsmasq.conf: the host's own dnsmasq setup is not ours.
        "--conf-file=/dev/null",
        "--strict-order",
        // Only this bridge: no socket on the host's other interfaces.
        "--bind-interfaces",
        "--interface=" + o.name,
        "--except-interface=lo",
        "--listen-address=" + gw,
        // DHCP only: no DNS server, so nothing is forwarded to the outside.
        "--port=0",
        fmt::format("--dhcp-range={},{},{},1h", n.dhcp_first, n.dhcp_last, v4_text(net.mask())),
        "--dhcp-no-override",
        "--dhcp-authoritative",
        "--dhcp-leasefile=" + dir + "/dnsmasq.leases",
        "--pid-file=" + dir + "/dnsmasq.pid",
    };
}

std::string nat_table_name(const std::string& network) {
    return nft_table_name("kiste_nat", network, network);
}

Result<std::string> nat_ruleset(const HostNetwork& n) {
    V4Net net = KISTE_TRY(parse_v4_net(n.options.ipv4));
    const std::string subnet = fmt::format("{}/{}", v4_text(net.network()), net.prefix);
    const std::string& t = n.nat_table;
    std::string s = fmt::format("add table ip {0}\ndelete table ip {0}\ntable ip {0} {{\n", t);
    s += "  chain postrouting {\n";
    s += "    type nat hook postrouting priority srcnat; policy accept;\n";
    s += fmt::format("    ip saddr {0} ip daddr != {0} masquerade\n", subnet);
    s += "  }\n}\n";
    return s;
}

std::string nat_remove_script(const std::string& table) {
    return fmt::format("add table ip {0}\ndelete table ip {0}\n", table);
}

std::string host_network_to_json(const HostNetwork& n) {
    nlohmann::json j = {
        {"name", n.options.name},       {"ipv4", n.options.ipv4},
        {"ipv6", n.options.ipv6},       {"dhcp_range", n.options.dhcp_range},
        {"dhcp_first", n.dhcp_first},   {"dhcp_last", n.dhcp_last},
        {"nat", n.options.nat},         {"nat_table", n.nat_table},
        {"dnsmasq_pid", n.dnsmasq_pid}, {"dnsmasq_start_time", n.dnsmasq_start_time},
    };
    return json_text(j) + "\n";
}

Result<HostNetwork> host_network_from_json(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("not a JSON object");
    HostNetwork n;
    n.options.name = json_field(j, "name", "");
    n.options.ipv4 = json_field(j, "ipv4", "");
    n.options.ipv6 = json_field(j, "ipv6", "");
    n.options.dhcp_range = json_field(j, "dhcp_range", "");
    n.dhcp_first = json_field(j, "dhcp_first", "");
    n.dhcp_last = json_field(j, "dhcp_last", "");
    n.options.nat = json_field(j, "nat", false);
    n.nat_table = json_field(j, "nat_table", "");
    n.dnsmasq_pid = json_field(j, "dnsmasq_pid", pid_t{0});
    n.dnsmasq_start_time = json_field(j, "dnsmasq_start_time", uint64_t{0});
    KISTE_TRY(check_name(n.options.name));
    if (auto v4 = parse_v4_net(n.options.ipv4)) n.bridge_ipv4 = address_of(v4->addr, v4->prefix);
    if (auto v6 = parse_v6(n.options.ipv6)) n.bridge_ipv6 = *v6;
    return n;
}

bool cmdline_is_dnsmasq_for(const std::string& cmdline, const std::string& pid_file) {
    std::vector<std::string> args;
    for (size_t pos = 0; pos < cmdline.size();) {
        size_t end = cmdline.find('\0', pos);
        if (end == std::string::npos) end = cmdline.size();
        args.push_back(cmdline.substr(pos, end - pos));
        pos = end + 1;
    }
    if (args.empty()) return false;
    const std::string& a0 = args[0];
    const std::string base = a0.substr(a0.rfind('/') == std::string::npos ? 0 : a0.rfind('/') + 1);
    if (base != "dnsmasq") return false;
    for (const auto& a : args)
        if (a == "--pid-file=" + pid_file) return true;
    return false;
}

}  // namespace kiste::net
