// A small netlink interface: the link, address, route and neighbour
// operations the network setup needs, one netlink socket per object (and so
// per network namespace: a netlink socket stays bound to the namespace it was
// created in). The real one is built on libnl-route-3 (netlink_libnl.cpp);
// unit tests use a recording fake (tests/unit/net_fake_netlink.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::net {

struct LinkStats {
    uint64_t rx_bytes = 0, rx_packets = 0, tx_bytes = 0, tx_packets = 0;
};

struct LinkInfo {
    int index = 0;
    std::string name;
    std::string kind;  // "veth", "bridge", "macvlan"... ("" for a physical device)
    uint32_t mtu = 0;
    bool up = false;     // administratively up (IFF_UP)
    std::string hwaddr;  // "08:00:12:34:56:78"
    int master = 0;      // ifindex of the bridge it is a port of, 0 for none
    LinkStats stats;
};

// One address of an interface.
using Address = NetInterface::Address;

struct Route {
    IpPrefix dst;         // the family's any address with prefix 0: the default route
    IpAddress gateway;    // none: a device route
    std::string dev;      // output interface ("" only with a gateway)
    bool onlink = false;  // the gateway is on the link even outside its subnets
    [[nodiscard]] int family() const { return dst.address.family; }
    bool operator==(const Route&) const = default;
};

class Netlink {
public:
    virtual ~Netlink() = default;

    virtual Status create_veth(const std::string& name, const std::string& peer) = 0;
    // mode: private|vepa|bridge|passthru ("" = the kernel's default, vepa).
    virtual Status create_macvlan(const std::string& name, const std::string& parent,
                                  const std::string& mode) = 0;
    // mode: l2|l3|l3s; isolation: bridge|private|vepa ("" = the kernel's defaults).
    virtual Status create_ipvlan(const std::string& name, const std::string& parent,
                                 const std::string& mode, const std::string& isolation) = 0;
    virtual Status create_vlan(const std::string& name, const std::string& parent, uint16_t id) = 0;
    // Moves `name` into the network namespace of `netns_fd`, renamed to
    // `new_name` there ("" keeps the name) in the same request.
    virtual Status move_to_netns(const std::string& name, int netns_fd,
                                 const std::string& new_name) = 0;
    virtual Status set_name(const std::string& name, const std::string& new_name) = 0;
    virtual Status set_mtu(const std::string& name, uint32_t mtu) = 0;
    virtual Status set_hwaddr(const std::string& name, const std::string& hwaddr) = 0;
    virtual Status set_up(const std::string& name, bool up) = 0;
    virtual Status add_address(const std::string& name, const Address& a) = 0;
    virtual Status add_route(const Route& r) = 0;
    virtual Status del_route(const Route& r) = 0;
    virtual Status bridge_attach(const std::string& name, const std::string& bridge) = 0;
    // Bridge port VLANs: `pvid` (0 = remove the default VLAN 1, as LXC's
    // veth.vlan.id = none) untagged, plus `tagged` ids.
    virtual Status bridge_vlan(const std::string& name, std::optional<uint16_t> pvid,
                               const std::vector<uint16_t>& tagged) = 0;
    // Neighbour proxy entries (`ip neigh add proxy ADDR dev DEV`).
    virtual Status add_proxy(const std::string& dev, const IpAddress& address) = 0;
    virtual Status del_proxy(const std::string& dev, const IpAddress& address) = 0;
    // nullopt when there is no such interface.
    virtual Result<std::optional<LinkInfo>> link(const std::string& name) = 0;
    virtual Result<std::optional<LinkInfo>> link_by_index(int index) = 0;
    virtual Result<std::vector<LinkInfo>> links() = 0;
    // Addresses of one interface (all families), in the kernel's order.
    virtual Result<std::vector<Address>> addresses(const std::string& name) = 0;
    virtual Status delete_link(const std::string& name) = 0;

    [[nodiscard]] bool link_exists(const std::string& name) {
        auto l = link(name);
        return l && l->has_value();
    }
};

// A netlink client of this process's network namespace.
Result<std::unique_ptr<Netlink>> open_netlink();
// A netlink client of the namespace `netns_fd` refers to (/proc/PID/ns/net):
// the socket is created by a short-lived thread that joined that namespace.
Result<std::unique_ptr<Netlink>> open_netlink_in(int netns_fd);

// The kernel module a link type needs ("vlan" -> "8021q"), for error messages.
std::string module_for(const std::string& kind);

}  // namespace kiste::net
