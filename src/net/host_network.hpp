// Host networks (`kiste network create|ls|rm`): a bridge on the host that
// containers name in `lxc.net.N.link`, with the host's address on it, and
// optionally a dnsmasq serving DHCP on that bridge only (as LXC's lxc-net
// does) and an nftables masquerade rule for its subnet.
//
// Each network is recorded in RUNROOT/@networks/NAME/ (RUNROOT is
// $KISTE_RUN_DIR, else /run/kiste; '@' cannot start a container's name, so
// the directory never meets a container's):
//   network.json     what was created (addresses, range, dnsmasq pid, nat table)
//   dnsmasq.pid      dnsmasq's pid file
//   dnsmasq.leases   dnsmasq's lease file
// The record lives where the bridge and dnsmasq live: in the running system.
// A reboot clears both, and the record with them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::net {

struct HostNetworkOptions {
    std::string name;        // the bridge's name (an interface name: <= 15 chars)
    std::string ipv4;        // the host's address on the bridge, ADDR/PREFIX
    std::string ipv6;        // optional, ADDR/PREFIX
    std::string dhcp_range;  // optional, "FIRST-LAST" or "FIRST,LAST" inside the IPv4 subnet
    bool nat = false;        // masquerade the IPv4 subnet to the host's other interfaces
};

struct HostNetwork {
    HostNetworkOptions options;
    // The host's addresses on the bridge, parsed from the options.
    std::optional<NetInterface::Address> bridge_ipv4, bridge_ipv6;
    std::string dhcp_first, dhcp_last;  // the parsed range
    pid_t dnsmasq_pid = 0;
    uint64_t dnsmasq_start_time = 0;  // guards against pid reuse
    std::string nat_table;            // nftables table of the masquerade rule
};

// Where the records are (see above).
std::string networks_dir(const std::string& run_root);

// Checks the options: name, addresses, that the range lies in the subnet
// and avoids the host's address. Fills the bridge addresses and dhcp_first/dhcp_last.
Result<HostNetwork> plan_host_network(const HostNetworkOptions& o);

// Whether the subnets of two addresses overlap (pure; false across
// families). A network whose subnet another interface of the host has
// already would make the host's routing ambiguous, so create refuses it.
bool subnets_overlap(const NetInterface::Address& a, const NetInterface::Address& b);

// dnsmasq's command line for a network whose record is in `dir` (pure).
std::vector<std::string> dnsmasq_argv(const HostNetwork& n, const std::string& dir);

// The nftables scripts that add and remove the masquerade rule (pure).
std::string nat_table_name(const std::string& network);
Result<std::string> nat_ruleset(const HostNetwork& n);
std::string nat_remove_script(const std::string& table);

// Creates the bridge, its addresses, dnsmasq and the NAT rule, and writes
// the record; on failure, removes what it made.
Result<HostNetwork> create_host_network(const std::string& run_root, const HostNetworkOptions& o,
                                        Logger& log);

struct HostNetworkStatus {
    HostNetwork network;
    bool bridge_present = false;
    bool dnsmasq_running = false;
    std::vector<std::string> ports;  // interfaces attached to the bridge
};
Result<std::vector<HostNetworkStatus>> list_host_networks(const std::string& run_root);

// Stops dnsmasq (only when /proc says it is this network's dnsmasq), removes
// the NAT rule, the bridge and the record. Refuses while interfaces are
// attached unless `force`.
Status remove_host_network(const std::string& run_root, const std::string& name, bool force,
                           Logger& log);

// The record (network.json) as text, and back.
std::string host_network_to_json(const HostNetwork& n);
Result<HostNetwork> host_network_from_json(const std::string& text);

// Whether `pid` (started at `start_time`, 0 = unchecked) is a dnsmasq whose
// command line names `pid_file` (reads /proc/PID/cmdline).
bool is_our_dnsmasq(pid_t pid, uint64_t start_time, const std::string& pid_file);
// Parses a NUL-separated /proc/PID/cmdline (pure, for the check above).
bool cmdline_is_dnsmasq_for(const std::string& cmdline, const std::string& pid_file);

}  // namespace kiste::net
