// The inside of one interface, through a netlink socket of the container's
// namespace (opened by the parent; see open_netlink_in): hwaddr, mtu,
// addresses, up, default gateways.
#include <sys/socket.h>

#include "net/link.hpp"

namespace kiste::net {

namespace {

using Gateway = NetInterface::Gateway;

// fe80::/10, which a host's link carries besides its global addresses.
bool link_local(const IpAddress& a) {
    return a.v6() && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

Result<IpAddress> auto_gateway(const LinkState& s, Netlink& host, int family) {
    const bool v6 = family == AF_INET6;
    const char* key = v6 ? "ipv6.gateway" : "ipv4.gateway";
    if (s.cfg.link.empty())
        return fail("{}: {} = auto needs lxc.net.{}.link (its address is the gateway)",
                    s.cfg.origin, key, s.index);
    auto addrs = KISTE_TRY_CTX(host.addresses(s.cfg.link), "{} = auto", key);
    for (const auto& a : addrs)
        if (a.address.family == family && !link_local(a.address)) return a.address;
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
    for (int family : {AF_INET, AF_INET6}) {
        const bool v6 = family == AF_INET6;
        const Gateway& gw = v6 ? c.ipv6_gateway : c.ipv4_gateway;
        if (gw.kind == Gateway::Kind::None) continue;
        if (!c.up)
            return fail("{}: ipv{}.gateway needs the interface up (lxc.net.{}.flags = up)",
                        c.origin, v6 ? 6 : 4, s.index);
        const IpPrefix dst{IpAddress::any(family), 0};
        if (gw.kind == Gateway::Kind::Dev) {
            // A device route: everything goes out on the link (ipvlan l3, router mode).
            KISTE_TRY(in.add_route({dst, {}, dev, false}));
            continue;
        }
        IpAddress addr =
            gw.kind == Gateway::Kind::Auto ? KISTE_TRY(auto_gateway(s, host, family)) : gw.address;
        bool reachable = false;
        for (const auto& a : v6 ? c.ipv6 : c.ipv4)
            reachable = reachable || addr.in_subnet(a.address, a.prefix);
        // A gateway outside the container's subnets is on the link all the same.
        KISTE_TRY(in.add_route({dst, addr, dev, !reachable}));
    }
    return {};
}

}  // namespace kiste::net
