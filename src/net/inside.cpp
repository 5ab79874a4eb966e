// The inside of one interface, through a netlink socket of the container's
// namespace (opened by the parent; see open_netlink_in): hwaddr, mtu,
// addresses, up, default gateways.
#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "net/link.hpp"

namespace kiste::net {

namespace {

// Whether `ip` lies in ADDRESS/PREFIX.
bool in_subnet(const std::string& ip, const Address& net) {
    const int fam = ip.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    if ((net.address.find(':') != std::string::npos) != (fam == AF_INET6)) return false;
    std::array<unsigned char, 16> a{}, b{};
    if (::inet_pton(fam, ip.c_str(), a.data()) != 1 ||
        ::inet_pton(fam, net.address.c_str(), b.data()) != 1)
        return false;
    unsigned bits = net.prefix;
    for (size_t i = 0; i < a.size() && bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
        unsigned mask = bits >= 8 ? 0xffU : (0xffU << (8 - bits)) & 0xffU;
        if ((a[i] & mask) != (b[i] & mask)) return false;
    }
    return true;
}

Result<std::string> auto_gateway(const LinkState& s, Netlink& host, bool v6) {
    const char* key = v6 ? "ipv6.gateway" : "ipv4.gateway";
    if (s.cfg.link.empty())
        return fail("{}: {} = auto needs lxc.net.{}.link (its address is the gateway)",
                    s.cfg.origin, key, s.index);
    auto addrs = KISTE_TRY_CTX(host.addresses(s.cfg.link), "{} = auto", key);
    for (const auto& a : addrs) {
        const bool is6 = a.address.find(':') != std::string::npos;
        if (is6 != v6) continue;
        if (v6 && a.address.starts_with("fe80:")) continue;
        return a.address;
    }
    return fail("{}: {} = auto: {} has no {} address", s.cfg.origin, key, s.cfg.link,
                v6 ? "IPv6" : "IPv4");
}

}  // namespace

Status configure_inside(const LinkState& s, Netlink& in, Netlink& host) {
    const NetInterface& c = s.cfg;
    const std::string& dev = c.name;
    if (!c.hwaddr.empty()) KISTE_TRY(in.set_hwaddr(dev, c.hwaddr));
    if (c.mtu) KISTE_TRY(in.set_mtu(dev, *c.mtu));
    for (const auto* list : {&c.ipv4, &c.ipv6})
        for (const auto& a : *list) KISTE_TRY(in.add_address(dev, a));
    if (c.up) KISTE_TRY(in.set_up(dev, true));
    for (bool v6 : {false, true}) {
        const std::string& gw = v6 ? c.ipv6_gateway : c.ipv4_gateway;
        if (gw.empty()) continue;
        if (!c.up)
            return fail("{}: ipv{}.gateway needs the interface up (lxc.net.{}.flags = up)",
                        c.origin, v6 ? 6 : 4, s.index);
        const std::string dst = "default";
        if (gw == "dev") {
            // A device route: everything goes out on the link (ipvlan l3, router mode).
            KISTE_TRY(in.add_route({v6 ? "::/0" : dst, "", dev, false}));
            continue;
        }
        std::string addr = gw == "auto" ? KISTE_TRY(auto_gateway(s, host, v6)) : gw;
        bool reachable = false;
        for (const auto& a : v6 ? c.ipv6 : c.ipv4) reachable = reachable || in_subnet(addr, a);
        // A gateway outside the container's subnets is on the link all the same.
        KISTE_TRY(in.add_route({v6 ? "::/0" : dst, addr, dev, !reachable}));
    }
    return {};
}

}  // namespace kiste::net
