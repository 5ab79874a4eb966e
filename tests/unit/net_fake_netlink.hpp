// A recording fake of net::Netlink: one object per "namespace", holding its
// links and addresses, logging every call into a shared list of lines.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "net/netlink.hpp"

namespace kiste::test {

// Typed values from text, for writing tests briefly.
inline IpAddress ip(const char* text) {
    return IpAddress::parse(text).value();
}
inline NetInterface::Address addr(const char* text, uint8_t prefix) {
    return {ip(text), prefix, {}};
}
inline IpPrefix prefix(const char* text) {
    return IpPrefix::parse(text).value();
}
inline NetInterface::Gateway gateway(const char* text) {
    using G = NetInterface::Gateway;
    if (std::string_view(text) == "auto") return {G::Kind::Auto, {}};
    if (std::string_view(text) == "dev") return {G::Kind::Dev, {}};
    return {G::Kind::Address, ip(text)};
}

class FakeNetlink : public net::Netlink {
public:
    FakeNetlink(std::string ns, std::vector<std::string>& log) : ns_(std::move(ns)), log_(log) {}

    // Where move_to_netns puts links (the container's namespace).
    FakeNetlink* other = nullptr;
    std::set<std::string> unsupported;  // link kinds the "kernel" lacks
    std::map<std::string, net::LinkInfo> links_;
    std::map<std::string, std::vector<net::Address>> addrs_;
    std::set<std::string> proxies_, routes_;

    void add_link(const std::string& name, const std::string& kind, uint32_t mtu = 1500,
                  const std::string& hw = "02:00:00:00:00:01") {
        net::LinkInfo l;
        l.index = next_index_++;
        l.name = name;
        l.kind = kind;
        l.mtu = mtu;
        l.hwaddr = hw;
        links_[name] = l;
    }

    Status create_veth(const std::string& name, const std::string& peer) override {
        rec("create_veth {} {}", name, peer);
        KISTE_TRY(supported("veth", name));
        add_link(name, "veth");
        add_link(peer, "veth");
        return {};
    }
    Status create_macvlan(const std::string& name, const std::string& parent,
                          const std::string& mode) override {
        rec("create_macvlan {} {} {}", name, parent, mode);
        KISTE_TRY(supported("macvlan", name));
        KISTE_TRY(need(parent));
        add_link(name, "macvlan");
        return {};
    }
    Status create_ipvlan(const std::string& name, const std::string& parent,
                         const std::string& mode, const std::string& isolation) override {
        rec("create_ipvlan {} {} {} {}", name, parent, mode, isolation);
        KISTE_TRY(supported("ipvlan", name));
        add_link(name, "ipvlan");
        return {};
    }
    Status create_vlan(const std::string& name, const std::string& parent, uint16_t id) override {
        rec("create_vlan {} {} {}", name, parent, id);
        KISTE_TRY(supported("vlan", name));
        add_link(name, "vlan");
        return {};
    }
    Status move_to_netns(const std::string& name, int /*fd*/,
                         const std::string& new_name) override {
        rec("move {} as {}", name, new_name);
        KISTE_TRY(need(name));
        net::LinkInfo l = links_.at(name);
        links_.erase(name);
        if (!new_name.empty()) l.name = new_name;
        l.up = false;
        if (other != nullptr) other->links_[l.name] = l;
        return {};
    }
    Status set_name(const std::string& name, const std::string& new_name) override {
        rec("set_name {} {}", name, new_name);
        KISTE_TRY(need(name));
        auto l = links_.at(name);
        links_.erase(name);
        l.name = new_name;
        links_[new_name] = l;
        return {};
    }
    Status set_mtu(const std::string& name, uint32_t mtu) override {
        rec("set_mtu {} {}", name, mtu);
        KISTE_TRY(need(name));
        links_[name].mtu = mtu;
        return {};
    }
    Status set_hwaddr(const std::string& name, const std::string& hw) override {
        rec("set_hwaddr {} {}", name, hw);
        KISTE_TRY(need(name));
        links_[name].hwaddr = hw;
        return {};
    }
    Status set_up(const std::string& name, bool up) override {
        rec("set_up {} {}", name, up ? "up" : "down");
        KISTE_TRY(need(name));
        links_[name].up = up;
        return {};
    }
    Status add_address(const std::string& name, const net::Address& a) override {
        rec("add_address {} {}/{}", name, a.address.to_string(), a.prefix);
        KISTE_TRY(need(name));
        addrs_[name].push_back(a);
        return {};
    }
    Status add_route(const net::Route& r) override {
        std::string t = route_text(r);
        rec("add_route {}", t);
        routes_.insert(t);
        return {};
    }
    Status del_route(const net::Route& r) override {
        std::string t = route_text(r);
        rec("del_route {}", t);
        if (routes_.erase(t) == 0) return fail(Error(ESRCH, "no route " + t));
        return {};
    }
    Status bridge_attach(const std::string& name, const std::string& bridge) override {
        rec("bridge_attach {} {}", name, bridge);
        KISTE_TRY(need(name));
        KISTE_TRY(need(bridge));
        links_[name].master = links_[bridge].index;
        return {};
    }
    Status bridge_vlan(const std::string& name, std::optional<uint16_t> pvid,
                       const std::vector<uint16_t>& tagged) override {
        rec("bridge_vlan {} {} {}", name, pvid ? static_cast<int>(*pvid) : -1, tagged.size());
        return {};
    }
    Status add_proxy(const std::string& dev, const IpAddress& a) override {
        rec("add_proxy {} {}", dev, a.to_string());
        proxies_.insert(a.to_string() + " dev " + dev);
        return {};
    }
    Status del_proxy(const std::string& dev, const IpAddress& a) override {
        rec("del_proxy {} {}", dev, a.to_string());
        proxies_.erase(a.to_string() + " dev " + dev);
        return {};
    }
    Result<std::optional<net::LinkInfo>> link(const std::string& name) override {
        auto it = links_.find(name);
        if (it == links_.end()) return std::optional<net::LinkInfo>{};
        return std::optional<net::LinkInfo>(it->second);
    }
    Result<std::optional<net::LinkInfo>> link_by_index(int index) override {
        for (const auto& [n, l] : links_)
            if (l.index == index) return std::optional<net::LinkInfo>(l);
        return std::optional<net::LinkInfo>{};
    }
    Result<std::vector<net::LinkInfo>> links() override {
        std::vector<net::LinkInfo> out;
        for (const auto& [n, l] : links_) out.push_back(l);
        return out;
    }
    Result<std::vector<net::Address>> addresses(const std::string& name) override {
        KISTE_TRY(need(name));
        return addrs_[name];
    }
    Status delete_link(const std::string& name) override {
        rec("delete_link {}", name);
        KISTE_TRY(need(name));
        links_.erase(name);
        return {};
    }

    static std::string route_text(const net::Route& r) {
        return fmt::format("{}{}{}{}", r.dst.to_string(),
                           r.gateway.empty() ? "" : " via " + r.gateway.to_string(),
                           r.dev.empty() ? "" : " dev " + r.dev, r.onlink ? " onlink" : "");
    }

private:
    template <class... Args>
    void rec(fmt::format_string<Args...> f, Args&&... args) {
        log_.push_back(ns_ + ": " + fmt::format(f, std::forward<Args>(args)...));
    }
    Status need(const std::string& name) {
        if (!links_.contains(name)) return fail(Error(ENODEV, "no interface " + name));
        return {};
    }
    Status supported(const std::string& kind, const std::string& name) {
        if (!unsupported.contains(kind)) return {};
        return fail(
            Error(EOPNOTSUPP,
                  fmt::format("creating {} interface {}: kernel has no {} support (module {})",
                              kind, name, kind, net::module_for(kind))));
    }

    std::string ns_;
    std::vector<std::string>& log_;
    int next_index_ = 10;
};

}  // namespace kiste::test
