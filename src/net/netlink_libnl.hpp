// The libnl-route-3 implementation of Netlink (internal to src/net).
#pragma once

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include <functional>

#include "net/netlink.hpp"

namespace kiste::net {

// A libnl error (negative NLE_*) as an Error with the closest errno.
std::unexpected<Error> nl_fail(int nlerr, std::string what);
// A failed link creation; "kernel has no vlan support (module 8021q)" when
// the kernel does not know the link type.
std::unexpected<Error> create_fail(int nlerr, const std::string& kind, const std::string& name);
// The IPv4 broadcast address of ADDRESS/PREFIX (none for /31 and /32).
IpAddress ipv4_broadcast(const IpAddress& address, uint8_t prefix);

using RoutePtr = std::unique_ptr<rtnl_route, void (*)(rtnl_route*)>;
using NeighPtr = std::unique_ptr<rtnl_neigh, void (*)(rtnl_neigh*)>;

class LibnlNetlink final : public Netlink {
public:
    explicit LibnlNetlink(nl_sock* sock);  // takes ownership
    ~LibnlNetlink() override;
    LibnlNetlink(const LibnlNetlink&) = delete;
    LibnlNetlink& operator=(const LibnlNetlink&) = delete;

    Status create_veth(const std::string& name, const std::string& peer) override;
    Status create_macvlan(const std::string& name, const std::string& parent,
                          const std::string& mode) override;
    Status create_ipvlan(const std::string& name, const std::string& parent,
                         const std::string& mode, const std::string& isolation) override;
    Status create_vlan(const std::string& name, const std::string& parent, uint16_t id) override;
    Status move_to_netns(const std::string& name, int netns_fd,
                         const std::string& new_name) override;
    Status set_name(const std::string& name, const std::string& new_name) override;
    Status set_mtu(const std::string& name, uint32_t mtu) override;
    Status set_hwaddr(const std::string& name, const std::string& hwaddr) override;
    Status set_up(const std::string& name, bool up) override;
    Status add_address(const std::string& name, const Address& a) override;
    Status add_route(const Route& r) override;
    Status del_route(const Route& r) override;
    Status bridge_attach(const std::string& name, const std::string& bridge) override;
    Status bridge_vlan(const std::string& name, std::optional<uint16_t> pvid,
                       const std::vector<uint16_t>& tagged) override;
    Status add_proxy(const std::string& dev, const IpAddress& address) override;
    Status del_proxy(const std::string& dev, const IpAddress& address) override;
    Result<std::optional<LinkInfo>> link(const std::string& name) override;
    Result<std::optional<LinkInfo>> link_by_index(int index) override;
    Result<std::vector<LinkInfo>> links() override;
    Result<std::vector<Address>> addresses(const std::string& name) override;
    Status delete_link(const std::string& name) override;

private:
    Result<int> index_of(const std::string& name);
    // rtnl_link_change of `name` with the attributes `edit` sets.
    Status change(const std::string& name, const std::function<void(rtnl_link*)>& edit,
                  const std::string& what);
    Result<RoutePtr> make_route(const Route& r);
    Result<NeighPtr> make_proxy(const std::string& dev, const IpAddress& address);
    // Sends a prepared message (consumed) and waits for the kernel's answer.
    int send_sync(nl_msg* msg);

    nl_sock* sock_;
};

}  // namespace kiste::net
