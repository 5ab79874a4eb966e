#include "net/secure.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <set>

#include "net/secure_nft.hpp"

namespace kiste::net {
namespace {

using Mac = std::array<uint8_t, 6>;

Result<Mac> parse_mac(const std::string& s) {
    Mac m{};
    unsigned v[6];
    char tail = 0;
    if (s.size() != 17 || std::sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2],
                                      &v[3], &v[4], &v[5], &tail) != 6)
        return fail("'{}' is not a MAC address (xx:xx:xx:xx:xx:xx)", s);
    for (int i = 0; i < 6; ++i) m[i] = static_cast<uint8_t>(v[i]);
    if (m[0] & 1) return fail("MAC address {} is a multicast address", s);
    if (m == Mac{}) return fail("MAC address {} is all zeros", s);
    return m;
}

std::string mac_text(const Mac& m) {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4],
                       m[5]);
}

Result<std::string> canonical_ipv4(const IpAddress& a) {
    if (a.family != AF_INET) return fail("'{}' is not an IPv4 address", a.to_string());
    if ((a.bytes[0] == 0 && a.bytes[1] == 0 && a.bytes[2] == 0 && a.bytes[3] == 0) ||
        (a.bytes[0] >> 4) >= 14)
        return fail("{} cannot be a container's own address", a.to_string());
    return a.to_string();
}

struct V6 {
    std::string text;  // canonical, for ip6 saddr
    std::string hex;   // 0x + 32 digits, for the raw NA target match
};

Result<V6> canonical_ipv6(const IpAddress& a) {
    if (a.family != AF_INET6) return fail("'{}' is not an IPv6 address", a.to_string());
    in6_addr addr{};
    std::memcpy(&addr, a.bytes.data(), sizeof addr);
    if (IN6_IS_ADDR_UNSPECIFIED(&addr) || IN6_IS_ADDR_MULTICAST(&addr))
        return fail("{} cannot be a container's own address", a.to_string());
    V6 v{a.to_string(), "0x"};
    for (uint8_t b : a.bytes) v.hex += fmt::format("{:02x}", b);
    return v;
}

bool valid_ifname(const std::string& n) {
    if (n.empty() || n.size() > 15) return false;
    for (char c : n)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            return false;
    return true;
}

bool valid_table(const std::string& n) {
    if (n.empty() || n.size() > 200 || !std::isalpha(static_cast<unsigned char>(n[0])))
        return false;
    for (char c : n)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
}

std::string join(const std::set<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

}  // namespace

namespace {
IpAddress eui64_address(const Mac& m) {
    // Modified EUI-64 (RFC 4291 appendix A): flip the universal/local bit and
    // put ff:fe in the middle.
    IpAddress a = IpAddress::any(AF_INET6);
    a.bytes[0] = 0xfe;
    a.bytes[1] = 0x80;
    const uint8_t iid[8] = {
        static_cast<uint8_t>(m[0] ^ 0x02), m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]};
    for (int i = 0; i < 8; ++i) a.bytes[8 + i] = iid[i];
    return a;
}
}  // namespace

Result<std::string> eui64_link_local(const std::string& mac) {
    return eui64_address(KISTE_TRY(parse_mac(mac))).to_string();
}

std::string secure_table_name(const std::string& run_root, const std::string& container,
                              unsigned iface_index) {
    std::string key = run_root;
    key.push_back('\0');
    key += container;
    return fmt::format("{}_{}", nft_table_name("kiste", container, key), iface_index);
}

Result<std::string> secure_ruleset(const SecureRules& r) {
    if (!valid_table(r.table)) return fail("'{}' is not a valid nftables table name", r.table);
    if (!valid_ifname(r.host_ifname))
        return fail("'{}' is not a valid host interface name", r.host_ifname);
    const Mac mac = KISTE_TRY_CTX(parse_mac(r.mac), "secure network on {}", r.host_ifname);
    const std::string m = mac_text(mac);
    std::set<std::string> v4, v6, targets;
    for (const auto& a : r.ipv4) v4.insert(KISTE_TRY_CTX(canonical_ipv4(a), "secure network"));
    const V6 ll = KISTE_TRY(canonical_ipv6(eui64_address(mac)));
    v6.insert(ll.text);
    targets.insert(ll.hex);
    for (const auto& a : r.ipv6) {
        V6 v = KISTE_TRY_CTX(canonical_ipv6(a), "secure network");
        v6.insert(v.text);
        targets.insert(v.hex);
    }
    // The MAC as the 48-bit integer the raw payload matches compare with.
    std::string mac_hex = "0x";
    for (uint8_t b : mac) mac_hex += fmt::format("{:02x}", b);

    // "add; delete; table {...}" in one batch replaces an older table
    // atomically: the interface is never unfiltered in between.
    std::string s = fmt::format("add table netdev {0}\ndelete table netdev {0}\n", r.table);
    s += fmt::format("table netdev {} {{\n", r.table);
    s += "  chain ingress {\n";
    s += fmt::format("    type filter hook ingress device \"{}\" priority -500; policy drop;\n",
                     r.host_ifname);
    s += fmt::format(
        "    ether saddr {} ether type vmap {{ arp : jump arp_in, ip : jump ip4_in, "
        "ip6 : jump ip6_in }}\n",
        m);
    s += "  }\n";

    // ARP: only Ethernet/IPv4 ARP, sender = the assigned MAC and address.
    // The sender fields are what a neighbour learns from; 0.0.0.0 is an
    // address probe (RFC 5227) that no one learns from.
    s += "  chain arp_in {\n";
    s += "    arp htype != 1 drop\n    arp ptype != ip drop\n";
    s += "    arp hlen != 6 drop\n    arp plen != 4 drop\n";
    s += fmt::format("    arp saddr ether != {} drop\n", m);
    if (!v4.empty()) s += fmt::format("    arp saddr ip {{ {} }} accept\n", join(v4));
    s += "    arp operation request arp saddr ip 0.0.0.0 accept\n";
    s += "  }\n";

    s += "  chain ip4_in {\n";
    if (!v4.empty()) s += fmt::format("    ip saddr {{ {} }} accept\n", join(v4));
    s += "  }\n";

    // IPv6. nft 1.0.6 has no "icmpv6 taddr": the neighbour advertisement's
    // target is the raw 128 bits at offset 64 of the ICMPv6 header, and the
    // first link-layer address option (type 1 source / 2 target) sits at
    // offset 192 of NS and NA and 64 of RS, its MAC 16 bits later.
    s += "  chain ip6_in {\n";
    s += "    icmpv6 type { nd-router-advert, nd-redirect } drop\n";
    s += fmt::format("    icmpv6 type nd-neighbor-advert @th,64,128 != {{ {} }} drop\n",
                     join(targets));
    s += fmt::format(
        "    icmpv6 type {{ nd-neighbor-solicit, nd-neighbor-advert }} @th,192,8 {{ 1, 2 }} "
        "@th,208,48 != {} drop\n",
        mac_hex);
    s +=
        fmt::format("    icmpv6 type nd-router-solicit @th,64,8 1 @th,80,48 != {} drop\n", mac_hex);
    s += fmt::format("    ip6 saddr {{ {} }} accept\n", join(v6));
    s += "    ip6 saddr :: icmpv6 type { nd-neighbor-solicit, mld-listener-report, "
         "mld2-listener-report } accept\n";
    s += "  }\n";
    s += "}\n";
    return s;
}

std::string secure_remove_script(const std::string& table) {
    // Adding first makes the delete succeed when the table is already gone
    // (nft 1.0.6 has no "destroy"); both happen in one transaction.
    return fmt::format("add table netdev {0}\ndelete table netdev {0}\n", table);
}

Result<std::string> secure_apply(const SecureRules& rules, Logger& log) {
    std::string script = KISTE_TRY(secure_ruleset(rules));
    log.debug("secure network on {}: loading nftables table {}", rules.host_ifname, rules.table);
    KISTE_TRY_CTX(nft_run(script), "loading the secure network rules for {} (table netdev {})",
                  rules.host_ifname, rules.table);
    return rules.table;
}

Status secure_remove(const std::string& table, Logger& log) {
    if (!valid_table(table)) return fail("'{}' is not a valid nftables table name", table);
    log.debug("secure network: removing nftables table {}", table);
    KISTE_TRY_CTX(nft_run(secure_remove_script(table)), "removing table netdev {}", table);
    return {};
}

}  // namespace kiste::net
