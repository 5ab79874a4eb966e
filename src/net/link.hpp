// One container interface during setup and teardown, and the per-type steps
// (veth.cpp, macvlan.cpp, ipvlan.cpp, vlan.cpp, phys.cpp). Internal to src/net.
//
//   outside(s)      host side: create (or pick) the device that goes into the
//                   container; everything is recorded before it is made
//   <move>          into /proc/PID/ns/net, renamed to its name inside
//   configure_inside (inside.cpp, the same for every type): hwaddr, mtu,
//                   addresses, up, gateways
//   host_after(s)   host routes and neighbour proxies that need the
//                   container's addresses (veth router mode, l2proxy)
//   teardown(s)     give back (phys) or remove what outside() made
#pragma once

#include <algorithm>
#include <functional>
#include <string>

#include "base/log.hpp"
#include "kiste/spec.hpp"
#include "net/hwaddr.hpp"
#include "net/netlink.hpp"
#include "net/record.hpp"

namespace kiste::net {

// What every step needs: the host's netlink, the record and how to save it.
struct HostSide {
    Netlink& nl;
    HostRecord& record;
    std::function<Status()> persist;
    Logger& log;
    std::string container;  // the container's name
    std::string run_root;   // its run root (secure table names)
    // Writes /proc/sys/net/REL of the host (write_net_sysctl; tests pass a fake).
    std::function<Status(const std::string& rel, const std::string& value)> sysctl;
};

struct LinkState {
    NetInterface cfg;      // hwaddr and name resolved
    unsigned index = 0;    // N of lxc.net.N
    std::string host_dev;  // veth: the host end; phys: the host device
    std::string move_dev;  // the device moved into the container (its name on the host)
    bool moved = false;
};

struct LinkOps {
    Result<std::string> (*outside)(LinkState& s, HostSide& h);  // returns move_dev
    Status (*host_after)(LinkState& s, HostSide& h);
    // `inside` is null when the container's namespace is gone.
    void (*teardown)(LinkState& s, HostSide& h, Netlink* inside, int host_netns_fd);
};

const LinkOps* link_ops(const std::string& type);
const LinkOps& veth_ops();
const LinkOps& macvlan_ops();
const LinkOps& ipvlan_ops();
const LinkOps& vlan_ops();
const LinkOps& phys_ops();

// Shared helpers.
// Appends to a record list and saves the record, before the thing is made.
Status record_link(HostSide& h, const std::string& name);
template <class Entry>
Status record_entry(HostSide& h, std::vector<Entry>& list, Entry e) {
    if (std::find(list.begin(), list.end(), e) == list.end()) list.push_back(std::move(e));
    return h.persist();
}
// A unique interface name: PREFIX + random alphanumerics (IFNAMSIZ-safe).
std::string random_ifname(const std::string& prefix);
// Writes a sysctl under /proc/sys/net of this process's namespace.
Status write_net_sysctl(const std::string& rel, const std::string& value);
std::string read_net_sysctl(const std::string& rel);  // "" when unreadable
// l2proxy: proxy entries on `link` for the container's addresses.
Status add_l2proxy(LinkState& s, HostSide& h);
// Teardown of a device made on the host and moved in (macvlan, ipvlan, vlan).
void teardown_created(LinkState& s, HostSide& h, Netlink* inside, int host_netns_fd);
// The inside steps (inside.cpp).
Status configure_inside(const LinkState& s, Netlink& inside, Netlink& host);
// Removes a recorded link that is still there (an error only when removal fails).
void remove_link(HostSide& h, const std::string& name);

}  // namespace kiste::net
