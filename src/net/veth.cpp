// veth: a pair; the host end (veth.pair or a generated vethXXXXXX) is
// attached to the bridge `link` (bridge mode) or routed to (router mode),
// the other end goes into the container.
#include "net/link.hpp"
#include "net/secure.hpp"

namespace kiste::net {

namespace {

bool router(const LinkState& s) {
    return s.cfg.veth_mode == "router";
}

Result<std::string> veth_outside(LinkState& s, HostSide& h) {
    const NetInterface& c = s.cfg;
    s.host_dev = c.veth_pair.empty() ? random_ifname("veth") : c.veth_pair;
    if (h.nl.link_exists(s.host_dev))
        return fail("{}: the host-side name {}: an interface of that name exists already", c.origin,
                    s.host_dev);
    if (router(s) && !c.link.empty())
        return fail(
            "{}: a routed veth takes no link {} (the host routes to the container instead "
            "of bridging)",
            c.origin, c.link);
    std::optional<LinkInfo> bridge;
    if (!c.link.empty()) {
        bridge = KISTE_TRY(h.nl.link(c.link));
        if (!bridge) return fail("{}: the link {}: no such interface", c.origin, c.link);
        if (bridge->kind != "bridge")
            return fail("{}: the link {}: not a bridge ({})", c.origin, c.link,
                        bridge->kind.empty() ? "a device" : bridge->kind);
    }
    const std::string peer = random_ifname("vp");
    s.move_dev = peer;
    KISTE_TRY(record_link(h, s.host_dev));
    KISTE_TRY(h.nl.create_veth(s.host_dev, peer));
    // Both ends share the MTU; without one, the bridge's (as LXC does).
    uint32_t mtu = c.mtu ? *c.mtu : (bridge ? bridge->mtu : 0);
    if (mtu != 0) {
        KISTE_TRY(h.nl.set_mtu(s.host_dev, mtu));
        KISTE_TRY(h.nl.set_mtu(peer, mtu));
    }
    if (bridge) {
        KISTE_TRY(h.nl.bridge_attach(s.host_dev, c.link));
        if (c.veth_vlan_id || !c.veth_vlan_tagged_ids.empty())
            KISTE_TRY(h.nl.bridge_vlan(s.host_dev, c.veth_vlan_id, c.veth_vlan_tagged_ids));
    }
    if (router(s)) {
        // The host end answers the container's neighbour requests for the
        // gateways (proxy ARP/NDP; IPv6 answers need forwarding on the link).
        KISTE_TRY(h.sysctl("ipv4/conf/" + s.host_dev + "/proxy_arp", "1"));
        if (!c.ipv6.empty()) {
            KISTE_TRY(h.sysctl("ipv6/conf/" + s.host_dev + "/proxy_ndp", "1"));
            KISTE_TRY(h.sysctl("ipv6/conf/" + s.host_dev + "/forwarding", "1"));
        }
    }
    KISTE_TRY(h.nl.set_up(s.host_dev, true));
    return peer;
}

Status route_to(HostSide& h, const IpPrefix& dst, const std::string& dev) {
    KISTE_TRY(record_entry(h, h.record.routes, HostRoute{dst, dev}));
    return h.nl.add_route({dst, {}, dev, false});
}

Status veth_host_after(LinkState& s, HostSide& h) {
    const NetInterface& c = s.cfg;
    if (router(s)) {
        // Host routes to the container's addresses via the host end, and
        // proxy entries there for its gateways (LXC's router mode).
        for (const auto* list : {&c.ipv4, &c.ipv6})
            for (const auto& a : *list)
                KISTE_TRY(route_to(h, {a.address, static_cast<uint8_t>(a.address.size() * 8)},
                                   s.host_dev));
        for (const auto* gw : {&c.ipv4_gateway, &c.ipv6_gateway}) {
            if (gw->kind != NetInterface::Gateway::Kind::Address) continue;
            KISTE_TRY(record_entry(h, h.record.proxies, HostProxy{gw->address, s.host_dev}));
            KISTE_TRY(h.nl.add_proxy(s.host_dev, gw->address));
        }
    }
    for (const auto* routes : {&c.veth_ipv4_routes, &c.veth_ipv6_routes})
        for (const auto& r : *routes) KISTE_TRY(route_to(h, r, s.host_dev));
    if (c.secure) {
        if (!router(s))
            return fail("{}: kiste.net.{}.secure needs veth.mode = router", c.origin, s.index);
        SecureRules rules;
        rules.table = secure_table_name(h.run_root, h.container, s.index);
        rules.host_ifname = s.host_dev;
        rules.mac = c.hwaddr;
        for (const auto& a : c.ipv4) rules.ipv4.push_back(a.address);
        for (const auto& a : c.ipv6) rules.ipv6.push_back(a.address);
        h.record.secure_tables.push_back(rules.table);
        KISTE_TRY(h.persist());
        KISTE_TRY(secure_apply(rules, h.log));
    }
    return add_l2proxy(s, h);
}

void veth_teardown(LinkState& s, HostSide& h, Netlink* /*inside*/, int /*host_netns_fd*/) {
    // Removing the host end removes the pair, and with it its routes and
    // proxy entries; network.cpp removes the recorded entries first.
    if (!s.host_dev.empty()) remove_link(h, s.host_dev);
}

}  // namespace

const LinkOps& veth_ops() {
    static const LinkOps ops{veth_outside, veth_host_after, veth_teardown};
    return ops;
}

}  // namespace kiste::net
