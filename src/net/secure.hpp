// The secure network (OpenVZ's venet, without a patched kernel):
// `kiste.net.N.secure = 1` on a routed veth (`veth.mode = router`).
//
// The container's packets are filtered on the host end of its veth, before
// the host's stack sees them, by a per-interface nftables table of the
// `netdev` family (ingress hook, policy drop). A frame passes only when
//   - its source MAC is the one assigned to the container, and
//   - it is ARP for Ethernet/IPv4 whose sender MAC and IP are the assigned
//     ones (or an RFC 5227 probe from 0.0.0.0), or
//   - it is IPv4 from an assigned address, or
//   - it is IPv6 from an assigned address or from the link-local address
//     the kernel derives from the assigned MAC (EUI-64), or from :: for
//     duplicate address detection and MLD; neighbour advertisements must be
//     for those addresses, NDP link-layer address options must carry the
//     assigned MAC, and router advertisements and redirects are dropped.
// Everything else (other ethertypes, VLAN tags, spoofed sources) is dropped,
// so a container can neither spoof nor poison the host's neighbour tables.
// In router mode the veth is a point-to-point link into the host's routing:
// what a container reaches beyond the host is exactly what the host routes.
#pragma once

#include <string>
#include <vector>

#include "base/log.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::net {

struct SecureRules {
    std::string table;                  // nftables table name (secure_table_name)
    std::string host_ifname;            // the host end of the container's veth
    std::string mac;                    // the container's MAC (xx:xx:xx:xx:xx:xx)
    std::vector<IpAddress> ipv4, ipv6;  // the assigned addresses
};

// The table of a container's interface N: deterministic, so a crashed
// monitor's rules can be removed from the spec alone. `run_root` is the
// container's run root (ContainerPaths::run_root()), which tells apart two
// containers of one name in different lxcpaths.
std::string secure_table_name(const std::string& run_root, const std::string& container,
                              unsigned iface_index);

// The nftables script that atomically (re)creates the table (pure; the unit
// tests check it). Fails on a malformed MAC, name or interface, and on an
// address no container can have as its own (unspecified, multicast, ...).
Result<std::string> secure_ruleset(const SecureRules& rules);

// The script that deletes a table, and succeeds when it does not exist.
std::string secure_remove_script(const std::string& table);

// The IPv6 link-local address the kernel derives from a MAC (EUI-64),
// e.g. "fe80::ff:fe00:1" for 02:00:00:00:00:01.
Result<std::string> eui64_link_local(const std::string& mac);

// Loads the rules (replacing an older table of that name); returns the table
// name to record in the container's state. Needs CAP_NET_ADMIN.
Result<std::string> secure_apply(const SecureRules& rules, Logger& log);

// Removes the table; a table that does not exist is fine (idempotent).
Status secure_remove(const std::string& table, Logger& log);

}  // namespace kiste::net
