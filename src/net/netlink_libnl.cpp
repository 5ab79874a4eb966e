// The Netlink interface on libnl-route-3. Two requests libnl 3.7 has no
// setter for (ipvlan isolation flags, bridge port VLANs) are built as plain
// libnl messages in netlink_msg.cpp.
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vlan.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <sched.h>

#include <cstring>
#include <thread>

#include "net/netlink_libnl.hpp"

namespace kiste::net {

namespace {

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const {
        if (p != nullptr) F(p);
    }
};
using LinkPtr = std::unique_ptr<rtnl_link, Deleter<rtnl_link, rtnl_link_put>>;
using AddrPtr = std::unique_ptr<nl_addr, Deleter<nl_addr, nl_addr_put>>;
using RAddrPtr = std::unique_ptr<rtnl_addr, Deleter<rtnl_addr, rtnl_addr_put>>;
using CachePtr = std::unique_ptr<nl_cache, Deleter<nl_cache, nl_cache_free>>;

// An nl_addr from the bytes (libnl's text parser is not needed in between).
Result<AddrPtr> nl_address(const IpAddress& a, unsigned prefix) {
    nl_addr* raw = nl_addr_build(a.family, a.bytes.data(), a.size());
    if (raw == nullptr) return fail("allocating a netlink address");
    nl_addr_set_prefixlen(raw, static_cast<int>(prefix));
    return AddrPtr(raw);
}
Result<AddrPtr> nl_address(const IpAddress& a) {
    return nl_address(a, static_cast<unsigned>(a.size() * 8));
}

// The address an nl_addr holds (none for another family).
IpAddress ip_of(nl_addr* a) {
    IpAddress out;
    if (a == nullptr) return out;
    const int fam = nl_addr_get_family(a);
    const size_t len = nl_addr_get_len(a);
    if ((fam == AF_INET && len == 4) || (fam == AF_INET6 && len == 16)) {
        out.family = fam;
        std::memcpy(out.bytes.data(), nl_addr_get_binary_addr(a), len);
    }
    return out;
}

Result<AddrPtr> parse_addr(const std::string& text, int family) {
    nl_addr* a = nullptr;
    if (int err = nl_addr_parse(text.c_str(), family, &a); err < 0)
        return nl_fail(err, fmt::format("parsing address {}", text));
    return AddrPtr(a);
}

std::string addr_text(nl_addr* a) {
    if (a == nullptr) return {};
    char buf[INET6_ADDRSTRLEN] = {};
    int fam = nl_addr_get_family(a);
    if (fam == AF_INET || fam == AF_INET6) {
        ::inet_ntop(fam, nl_addr_get_binary_addr(a), buf, sizeof buf);
        return buf;
    }
    char lbuf[64] = {};
    return nl_addr2str(a, lbuf, sizeof lbuf);
}

LinkInfo to_info(rtnl_link* l) {
    LinkInfo i;
    i.index = rtnl_link_get_ifindex(l);
    if (const char* n = rtnl_link_get_name(l)) i.name = n;
    if (const char* t = rtnl_link_get_type(l)) i.kind = t;
    i.mtu = rtnl_link_get_mtu(l);
    i.up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
    i.hwaddr = addr_text(rtnl_link_get_addr(l));
    i.master = rtnl_link_get_master(l);
    i.stats.rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
    i.stats.rx_packets = rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
    i.stats.tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
    i.stats.tx_packets = rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
    return i;
}

}  // namespace

std::unexpected<Error> nl_fail(int nlerr, std::string what) {
    int e = 0;
    switch (nlerr < 0 ? -nlerr : nlerr) {
        case NLE_EXIST: e = EEXIST; break;
        case NLE_OBJ_NOTFOUND:
        case NLE_NODEV: e = ENODEV; break;
        case NLE_OPNOTSUPP: e = EOPNOTSUPP; break;
        case NLE_PERM: e = EPERM; break;
        case NLE_NOACCESS: e = EACCES; break;
        case NLE_INVAL: e = EINVAL; break;
        case NLE_BUSY: e = EBUSY; break;
        case NLE_NOADDR: e = EADDRNOTAVAIL; break;
        case NLE_RANGE: e = ERANGE; break;
        case NLE_AF_NOSUPPORT: e = EAFNOSUPPORT; break;
        case NLE_NOMEM: e = ENOMEM; break;
        default: break;
    }
    if (e != 0) return fail(Error(e, std::move(what)));
    return fail("{}: {}", what, nl_geterror(nlerr));
}

std::string module_for(const std::string& kind) {
    if (kind == "vlan") return "8021q";
    return kind;  // veth, macvlan, ipvlan, bridge, dummy: the module has the kind's name
}

std::unexpected<Error> create_fail(int nlerr, const std::string& kind, const std::string& name) {
    if (nlerr == -NLE_OPNOTSUPP)
        return fail(Error(EOPNOTSUPP, fmt::format("creating {} interface {}: kernel has no {} "
                                                  "support (module {})",
                                                  kind, name, kind, module_for(kind))));
    return nl_fail(nlerr, fmt::format("creating {} interface {}", kind, name));
}

LibnlNetlink::LibnlNetlink(nl_sock* sock) : sock_(sock) {}
LibnlNetlink::~LibnlNetlink() {
    nl_socket_free(sock_);
}

Result<int> LibnlNetlink::index_of(const std::string& name) {
    // Asked over our socket, not if_nametoindex(): the socket's namespace
    // may not be this thread's.
    rtnl_link* raw = nullptr;
    if (int err = rtnl_link_get_kernel(sock_, 0, name.c_str(), &raw); err < 0)
        return nl_fail(err, fmt::format("no network interface {}", name));
    LinkPtr l(raw);
    return rtnl_link_get_ifindex(raw);
}

Status LibnlNetlink::change(const std::string& name, const std::function<void(rtnl_link*)>& edit,
                            const std::string& what) {
    rtnl_link* raw = nullptr;
    if (int err = rtnl_link_get_kernel(sock_, 0, name.c_str(), &raw); err < 0)
        return nl_fail(err, fmt::format("{}: no network interface {}", what, name));
    LinkPtr orig(raw);
    LinkPtr ch(rtnl_link_alloc());
    edit(ch.get());
    if (int err = rtnl_link_change(sock_, orig.get(), ch.get(), 0); err < 0)
        return nl_fail(err, fmt::format("{} {}", what, name));
    return {};
}

Status LibnlNetlink::create_veth(const std::string& name, const std::string& peer) {
    LinkPtr l(rtnl_link_veth_alloc());
    if (!l) return fail("allocating a veth link");
    rtnl_link_set_name(l.get(), name.c_str());
    rtnl_link_set_name(rtnl_link_veth_get_peer(l.get()), peer.c_str());
    if (int err = rtnl_link_add(sock_, l.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0)
        return create_fail(err, "veth", name + "/" + peer);
    return {};
}

Status LibnlNetlink::create_macvlan(const std::string& name, const std::string& parent,
                                    const std::string& mode) {
    int pidx = KISTE_TRY_CTX(index_of(parent), "the parent of macvlan {}", name);
    LinkPtr l(rtnl_link_macvlan_alloc());
    if (!l) return fail("allocating a macvlan link");
    rtnl_link_set_name(l.get(), name.c_str());
    rtnl_link_set_link(l.get(), pidx);
    if (!mode.empty()) {
        int m = rtnl_link_macvlan_str2mode(mode.c_str());
        if (m < 0) return fail("unknown macvlan mode '{}'", mode);
        rtnl_link_macvlan_set_mode(l.get(), static_cast<uint32_t>(m));
    }
    if (int err = rtnl_link_add(sock_, l.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0)
        return create_fail(err, "macvlan", name + " on " + parent);
    return {};
}

Status LibnlNetlink::create_vlan(const std::string& name, const std::string& parent, uint16_t id) {
    int pidx = KISTE_TRY_CTX(index_of(parent), "the parent of vlan {}", name);
    LinkPtr l(rtnl_link_vlan_alloc());
    if (!l) return fail("allocating a vlan link");
    rtnl_link_set_name(l.get(), name.c_str());
    rtnl_link_set_link(l.get(), pidx);
    rtnl_link_vlan_set_id(l.get(), id);
    if (int err = rtnl_link_add(sock_, l.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0)
        return create_fail(err, "vlan", fmt::format("{} (id {} on {})", name, id, parent));
    return {};
}

Status LibnlNetlink::move_to_netns(const std::string& name, int netns_fd,
                                   const std::string& new_name) {
    return change(
        name,
        [&](rtnl_link* c) {
            rtnl_link_set_ns_fd(c, netns_fd);
            if (!new_name.empty()) rtnl_link_set_name(c, new_name.c_str());
        },
        new_name.empty()
            ? "moving into the container's network namespace:"
            : fmt::format("moving into the container's network namespace as {}:", new_name));
}

Status LibnlNetlink::set_name(const std::string& name, const std::string& new_name) {
    return change(
        name, [&](rtnl_link* c) { rtnl_link_set_name(c, new_name.c_str()); },
        fmt::format("renaming to {}:", new_name));
}

Status LibnlNetlink::set_mtu(const std::string& name, uint32_t mtu) {
    return change(
        name, [&](rtnl_link* c) { rtnl_link_set_mtu(c, mtu); },
        fmt::format("setting mtu {} on", mtu));
}

Status LibnlNetlink::set_hwaddr(const std::string& name, const std::string& hwaddr) {
    AddrPtr a = KISTE_TRY_CTX(parse_addr(hwaddr, AF_LLC), "hwaddr of {}", name);
    return change(
        name, [&](rtnl_link* c) { rtnl_link_set_addr(c, a.get()); },
        fmt::format("setting hwaddr {} on", hwaddr));
}

Status LibnlNetlink::set_up(const std::string& name, bool up) {
    return change(
        name,
        [&](rtnl_link* c) {
            if (up)
                rtnl_link_set_flags(c, IFF_UP);
            else
                rtnl_link_unset_flags(c, IFF_UP);
        },
        up ? "bringing up" : "bringing down");
}

Status LibnlNetlink::bridge_attach(const std::string& name, const std::string& bridge) {
    int bidx = KISTE_TRY_CTX(index_of(bridge), "attaching {} to bridge {}", name, bridge);
    return change(
        name, [&](rtnl_link* c) { rtnl_link_set_master(c, bidx); },
        fmt::format("attaching to bridge {}:", bridge));
}

Status LibnlNetlink::add_address(const std::string& name, const Address& a) {
    int idx = KISTE_TRY(index_of(name));
    const int fam = a.address.family;
    AddrPtr local = KISTE_TRY(nl_address(a.address, a.prefix));
    RAddrPtr ra(rtnl_addr_alloc());
    rtnl_addr_set_ifindex(ra.get(), idx);
    rtnl_addr_set_family(ra.get(), fam);
    rtnl_addr_set_local(ra.get(), local.get());
    rtnl_addr_set_prefixlen(ra.get(), a.prefix);
    if (fam == AF_INET) {
        IpAddress bcast = a.broadcast.empty() ? ipv4_broadcast(a.address, a.prefix) : a.broadcast;
        if (!bcast.empty()) {
            AddrPtr b = KISTE_TRY(nl_address(bcast));
            rtnl_addr_set_broadcast(ra.get(), b.get());
        }
    } else {
        // Statically assigned: usable at once, without duplicate detection's wait.
        rtnl_addr_set_flags(ra.get(), IFA_F_NODAD);
    }
    if (int err = rtnl_addr_add(sock_, ra.get(), 0); err < 0)
        return nl_fail(
            err, fmt::format("adding address {}/{} to {}", a.address.to_string(), a.prefix, name));
    return {};
}

Result<RoutePtr> LibnlNetlink::make_route(const Route& r) {
    const int fam = r.family();
    if (fam != AF_INET && fam != AF_INET6) return fail("a route needs an IPv4 or IPv6 destination");
    RoutePtr route(rtnl_route_alloc(), rtnl_route_put);
    rtnl_route_set_family(route.get(), static_cast<uint8_t>(fam));
    rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
    rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
    rtnl_route_set_scope(route.get(), r.gateway.empty() ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
    AddrPtr dst = KISTE_TRY(nl_address(r.dst.address, r.dst.prefix));
    rtnl_route_set_dst(route.get(), dst.get());
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!r.dev.empty()) {
        auto idx = index_of(r.dev);
        if (!idx) {
            rtnl_route_nh_free(nh);
            return std::unexpected(std::move(idx.error()));
        }
        rtnl_route_nh_set_ifindex(nh, *idx);
    }
    if (!r.gateway.empty()) {
        auto gw = nl_address(r.gateway);
        if (!gw) {
            rtnl_route_nh_free(nh);
            return std::unexpected(std::move(gw.error()));
        }
        rtnl_route_nh_set_gateway(nh, gw->get());
    }
    if (r.onlink) rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
    rtnl_route_add_nexthop(route.get(), nh);
    return route;
}

Status LibnlNetlink::add_route(const Route& r) {
    auto what = [&] {
        return fmt::format("adding route {}{}{}", r.dst.to_string(),
                           r.gateway.empty() ? "" : " via " + r.gateway.to_string(),
                           r.dev.empty() ? "" : " dev " + r.dev);
    };
    RoutePtr route = KISTE_TRY_CTX(make_route(r), "{}", what());
    if (int err = rtnl_route_add(sock_, route.get(), NLM_F_EXCL); err < 0)
        return nl_fail(err, what());
    return {};
}

Status LibnlNetlink::del_route(const Route& r) {
    RoutePtr route = KISTE_TRY_CTX(make_route(r), "removing route {}", r.dst.to_string());
    if (int err = rtnl_route_delete(sock_, route.get(), 0); err < 0)
        return nl_fail(err, fmt::format("removing route {} dev {}", r.dst.to_string(), r.dev));
    return {};
}

Result<NeighPtr> LibnlNetlink::make_proxy(const std::string& dev, const IpAddress& address) {
    int idx = KISTE_TRY(index_of(dev));
    AddrPtr dst = KISTE_TRY(nl_address(address));
    NeighPtr n(rtnl_neigh_alloc(), rtnl_neigh_put);
    rtnl_neigh_set_ifindex(n.get(), idx);
    rtnl_neigh_set_dst(n.get(), dst.get());
    rtnl_neigh_set_flags(n.get(), NTF_PROXY);
    rtnl_neigh_set_state(n.get(), NUD_PERMANENT);
    return n;
}

Status LibnlNetlink::add_proxy(const std::string& dev, const IpAddress& address) {
    NeighPtr n =
        KISTE_TRY_CTX(make_proxy(dev, address), "proxy entry {} on {}", address.to_string(), dev);
    if (int err = rtnl_neigh_add(sock_, n.get(), NLM_F_CREATE | NLM_F_REPLACE); err < 0)
        return nl_fail(err,
                       fmt::format("adding neighbour proxy {} on {}", address.to_string(), dev));
    return {};
}

Status LibnlNetlink::del_proxy(const std::string& dev, const IpAddress& address) {
    NeighPtr n =
        KISTE_TRY_CTX(make_proxy(dev, address), "proxy entry {} on {}", address.to_string(), dev);
    if (int err = rtnl_neigh_delete(sock_, n.get(), 0); err < 0)
        return nl_fail(err,
                       fmt::format("removing neighbour proxy {} on {}", address.to_string(), dev));
    return {};
}

Result<std::optional<LinkInfo>> LibnlNetlink::link(const std::string& name) {
    rtnl_link* raw = nullptr;
    int err = rtnl_link_get_kernel(sock_, 0, name.c_str(), &raw);
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return std::optional<LinkInfo>{};
    if (err < 0) return nl_fail(err, fmt::format("looking up interface {}", name));
    LinkPtr l(raw);
    return std::optional<LinkInfo>(to_info(raw));
}

Result<std::optional<LinkInfo>> LibnlNetlink::link_by_index(int index) {
    rtnl_link* raw = nullptr;
    int err = rtnl_link_get_kernel(sock_, index, nullptr, &raw);
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return std::optional<LinkInfo>{};
    if (err < 0) return nl_fail(err, fmt::format("looking up interface #{}", index));
    LinkPtr l(raw);
    return std::optional<LinkInfo>(to_info(raw));
}

Result<std::vector<LinkInfo>> LibnlNetlink::links() {
    nl_cache* raw = nullptr;
    if (int err = rtnl_link_alloc_cache(sock_, AF_UNSPEC, &raw); err < 0)
        return nl_fail(err, "listing network interfaces");
    CachePtr cache(raw);
    std::vector<LinkInfo> out;
    for (nl_object* o = nl_cache_get_first(raw); o != nullptr; o = nl_cache_get_next(o))
        out.push_back(to_info(reinterpret_cast<rtnl_link*>(o)));
    return out;
}

Result<std::vector<Address>> LibnlNetlink::addresses(const std::string& name) {
    int idx = KISTE_TRY(index_of(name));
    nl_cache* raw = nullptr;
    if (int err = rtnl_addr_alloc_cache(sock_, &raw); err < 0)
        return nl_fail(err, "listing addresses");
    CachePtr cache(raw);
    std::vector<Address> out;
    for (nl_object* o = nl_cache_get_first(raw); o != nullptr; o = nl_cache_get_next(o)) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        if (rtnl_addr_get_ifindex(a) != idx) continue;
        Address ad;
        ad.address = ip_of(rtnl_addr_get_local(a));
        if (ad.address.empty()) continue;
        ad.prefix = static_cast<uint8_t>(rtnl_addr_get_prefixlen(a));
        ad.broadcast = ip_of(rtnl_addr_get_broadcast(a));
        out.push_back(std::move(ad));
    }
    return out;
}

Status LibnlNetlink::delete_link(const std::string& name) {
    LinkPtr l(rtnl_link_alloc());
    rtnl_link_set_name(l.get(), name.c_str());
    if (int err = rtnl_link_delete(sock_, l.get()); err < 0)
        return nl_fail(err, fmt::format("removing interface {}", name));
    return {};
}

namespace {
Result<nl_sock*> connect_route_socket() {
    nl_sock* s = nl_socket_alloc();
    if (s == nullptr) return fail("allocating a netlink socket");
    if (int err = nl_connect(s, NETLINK_ROUTE); err < 0) {
        nl_socket_free(s);
        return nl_fail(err, "connecting a netlink socket");
    }
    return s;
}
}  // namespace

Result<std::unique_ptr<Netlink>> open_netlink() {
    nl_sock* s = KISTE_TRY(connect_route_socket());
    return std::unique_ptr<Netlink>(std::make_unique<LibnlNetlink>(s));
}

Result<std::unique_ptr<Netlink>> open_netlink_in(int netns_fd) {
    // setns() on a thread of its own changes only that thread's namespace;
    // the socket it creates stays bound to the container's namespace.
    Result<nl_sock*> sock = fail("no socket");
    std::thread t([&] {
        if (::setns(netns_fd, CLONE_NEWNET) < 0) {
            sock = fail_errno("joining the container's network namespace");
            return;
        }
        sock = connect_route_socket();
    });
    t.join();
    if (!sock) return std::unexpected(std::move(sock.error()));
    return std::unique_ptr<Netlink>(std::make_unique<LibnlNetlink>(*sock));
}

IpAddress ipv4_broadcast(const IpAddress& address, uint8_t prefix) {
    if (address.family != AF_INET || prefix > 30) return {};
    IpAddress b = address;
    for (unsigned bit = prefix; bit < 32; ++bit) b.bytes[bit / 8] |= uint8_t(0x80U >> (bit % 8));
    return b;
}

}  // namespace kiste::net
