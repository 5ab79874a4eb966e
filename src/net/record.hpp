// What the network setup made or moved on the host, recorded in the
// container's state BEFORE each step, so a later `kiste stop`/`destroy -f`
// can undo a run whose monitor (or `kiste execute`) was killed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kiste/spec.hpp"

namespace kiste::net {

// A host route (`DST dev DEV`).
struct HostRoute {
    IpPrefix dst;
    std::string dev;
    bool operator==(const HostRoute&) const = default;
};

// A neighbour proxy entry (`ADDR dev DEV`).
struct HostProxy {
    IpAddress address;
    std::string dev;
    bool operator==(const HostProxy&) const = default;
};

// A host interface moved into the container (lxc.net.N.type = phys), with
// what it had before, so it comes back as it was.
struct PhysDevice {
    std::string name;    // its host name, given back at stop
    std::string inside;  // its name inside the container
    int ifindex = 0;     // kept across namespaces: finds it again after a crash
    std::string hwaddr;
    uint32_t mtu = 0;
    bool up = false;
    bool operator==(const PhysDevice&) const = default;
};

struct HostRecord {
    std::vector<std::string> links;  // host interfaces kiste created (veth host ends...)
    std::vector<HostRoute> routes;
    std::vector<HostProxy> proxies;
    std::vector<PhysDevice> phys;
    std::vector<std::string> secure_tables;  // nftables tables of the secure network
    [[nodiscard]] bool empty() const {
        return links.empty() && routes.empty() && proxies.empty() && phys.empty() &&
               secure_tables.empty();
    }
    bool operator==(const HostRecord&) const = default;
};

// Addresses are text in the JSON ("10.0.3.5/32"); an entry whose text does
// not parse is dropped when read (there is nothing kiste could undo with it).
nlohmann::json to_json(const HostRecord& r);
HostRecord record_from_json(const nlohmann::json& j);

}  // namespace kiste::net
