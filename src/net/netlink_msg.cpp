// Requests libnl 3.7 has no object setters for, built as libnl messages:
// ipvlan with its isolation flags (IFLA_IPVLAN_FLAGS) and bridge port VLANs
// (IFLA_AF_SPEC / IFLA_BRIDGE_VLAN_INFO, what `bridge vlan add` sends).
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <fstream>

#include "net/netlink_libnl.hpp"

#ifndef IPVLAN_F_PRIVATE
#define IPVLAN_F_PRIVATE 0x01
#define IPVLAN_F_VEPA 0x02
#endif

namespace kiste::net {

int LibnlNetlink::send_sync(nl_msg* msg) {
    return nl_send_sync(sock_, msg);  // frees msg
}

Status LibnlNetlink::create_ipvlan(const std::string& name, const std::string& parent,
                                   const std::string& mode, const std::string& isolation) {
    int pidx = KISTE_TRY_CTX(index_of(parent), "the parent of ipvlan {}", name);
    uint16_t m = IPVLAN_MODE_L3;
    if (mode == "l2")
        m = IPVLAN_MODE_L2;
    else if (mode == "l3s")
        m = IPVLAN_MODE_L3S;
    else if (!mode.empty() && mode != "l3")
        return fail("unknown ipvlan mode '{}'", mode);
    uint16_t flags = 0;
    if (isolation == "private")
        flags = IPVLAN_F_PRIVATE;
    else if (isolation == "vepa")
        flags = IPVLAN_F_VEPA;
    else if (!isolation.empty() && isolation != "bridge")
        return fail("unknown ipvlan isolation '{}'", isolation);

    nl_msg* msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
    if (msg == nullptr) return fail("allocating a netlink message");
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    nlattr* info = nullptr;
    nlattr* data = nullptr;
    bool ok = nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) == 0 &&
              nla_put_string(msg, IFLA_IFNAME, name.c_str()) == 0 &&
              nla_put_u32(msg, IFLA_LINK, static_cast<uint32_t>(pidx)) == 0 &&
              (info = nla_nest_start(msg, IFLA_LINKINFO)) != nullptr &&
              nla_put_string(msg, IFLA_INFO_KIND, "ipvlan") == 0 &&
              (data = nla_nest_start(msg, IFLA_INFO_DATA)) != nullptr &&
              nla_put_u16(msg, IFLA_IPVLAN_MODE, m) == 0 &&
              nla_put_u16(msg, IFLA_IPVLAN_FLAGS, flags) == 0;
    if (!ok) {
        nlmsg_free(msg);
        return fail("building the netlink request for ipvlan {}", name);
    }
    nla_nest_end(msg, data);
    nla_nest_end(msg, info);
    if (int err = send_sync(msg); err < 0)
        return create_fail(err, "ipvlan", name + " on " + parent);
    return {};
}

namespace {
// One VLAN of a bridge port added (RTM_SETLINK) or removed (RTM_DELLINK).
nl_msg* vlan_msg(int cmd, int ifindex, uint16_t vid, uint16_t flags) {
    nl_msg* msg = nlmsg_alloc_simple(cmd, NLM_F_REQUEST);
    if (msg == nullptr) return nullptr;
    ifinfomsg ifi{};
    ifi.ifi_family = AF_BRIDGE;
    ifi.ifi_index = ifindex;
    bridge_vlan_info v{};
    v.flags = flags;
    v.vid = vid;
    nlattr* spec = nullptr;
    bool ok = nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) == 0 &&
              (spec = nla_nest_start(msg, IFLA_AF_SPEC)) != nullptr &&
              nla_put(msg, IFLA_BRIDGE_VLAN_INFO, sizeof v, &v) == 0;
    if (!ok) {
        nlmsg_free(msg);
        return nullptr;
    }
    nla_nest_end(msg, spec);
    return msg;
}
}  // namespace

Status LibnlNetlink::bridge_vlan(const std::string& name, std::optional<uint16_t> pvid,
                                 const std::vector<uint16_t>& tagged) {
    auto port = KISTE_TRY(link(name));
    if (!port) return fail("bridge VLANs: no network interface {}", name);
    if (port->master == 0) return fail("bridge VLANs of {}: it is not a bridge port", name);
    auto bridge = KISTE_TRY(link_by_index(port->master));
    const std::string br = bridge ? bridge->name : std::to_string(port->master);
    // Without VLAN filtering the bridge ignores port VLANs: say so instead.
    std::ifstream f("/sys/class/net/" + br + "/bridge/vlan_filtering");
    int filtering = 0;
    if (f >> filtering; filtering != 1)
        return fail(
            "veth.vlan.id/veth.vlan.tagged.id on {}: bridge {} has no VLAN filtering "
            "(ip link set {} type bridge vlan_filtering 1)",
            name, br, br);
    auto send = [&](int cmd, uint16_t vid, uint16_t flags) -> Status {
        nl_msg* msg = vlan_msg(cmd, port->index, vid, flags);
        if (msg == nullptr) return fail("building the VLAN request for {}", name);
        if (int err = send_sync(msg); err < 0)
            return nl_fail(err, fmt::format("{} VLAN {} on bridge port {}",
                                            cmd == RTM_DELLINK ? "removing" : "adding", vid, name));
        return {};
    };
    if (pvid) {
        // LXC's order: drop the bridge's default VLAN 1, then add the port's own.
        KISTE_TRY(send(RTM_DELLINK, 1, 0));
        if (*pvid != 0)
            KISTE_TRY(send(RTM_SETLINK, *pvid, BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED));
    }
    for (uint16_t id : tagged) KISTE_TRY(send(RTM_SETLINK, id, 0));
    return {};
}

}  // namespace kiste::net
