// A container's network, set up from the parent: after the clone and before
// the child continues (LaunchOptions::before_mapped), each interface's host
// side is made, its container side moved into /proc/PID/ns/net and
// configured there through a netlink socket bound to that namespace; at stop
// everything is removed or given back. What is made on the host is recorded
// (HostRecord, saved through `persist`) BEFORE it is made, so that
// cleanup_record() can undo a run whose owner was killed.
//
// No interfaces (the default) leaves the namespace with its loopback only,
// which the launcher brings up; so does `lxc.net.N.type = empty`, whose
// script.up / script.down still run (at setup / teardown).
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <vector>

#include "base/log.hpp"
#include "base/unique_fd.hpp"
#include "net/link.hpp"
#include "net/netlink.hpp"
#include "net/record.hpp"

namespace kiste::net {

// /proc/PID/ns/net; fails when it is kiste's own namespace.
Result<UniqueFd> open_container_netns(pid_t pid);

// How the network reaches netlink and the namespace (the unit tests pass fakes).
struct NetlinkFactory {
    std::function<Result<UniqueFd>(pid_t)> netns = open_container_netns;
    std::function<Result<std::unique_ptr<Netlink>>()> host = open_netlink;
    std::function<Result<std::unique_ptr<Netlink>>(int netns_fd)> inside = open_netlink_in;
    std::function<Status(const std::string&, const std::string&)> sysctl = write_net_sysctl;
};

class ContainerNetwork {
public:
    // `record` and `persist` belong to the caller (the container's state);
    // `run_root` names the secure network's tables (ContainerPaths::run_root()).
    ContainerNetwork(std::vector<NetInterface> ifaces, std::string container, std::string run_root,
                     HostRecord& record, std::function<Status()> persist, Logger& log,
                     NetlinkFactory factory = {});
    ~ContainerNetwork();
    ContainerNetwork(const ContainerNetwork&) = delete;
    ContainerNetwork& operator=(const ContainerNetwork&) = delete;

    // Everything for the container whose init is `pid`; tears down a
    // previous run first (a reboot).
    Status setup(pid_t pid);
    // script.down, phys devices back, host-side devices, routes, proxies and
    // secure tables removed. Idempotent; logs what fails.
    void teardown();

    // The interfaces as set up (names and MACs resolved), for tests and info.
    [[nodiscard]] const std::vector<LinkState>& links() const { return states_; }

private:
    Status setup_one(size_t i);
    Status setup_device(LinkState& s);  // every type but empty

    std::vector<NetInterface> ifaces_;
    std::string container_, run_root_;
    HostRecord& record_;
    std::function<Status()> persist_;
    Logger& log_;
    NetlinkFactory factory_;
    std::unique_ptr<Netlink> host_, inside_;
    UniqueFd netns_, host_netns_;
    std::vector<LinkState> states_;
    std::vector<bool> up_ran_;
};

// The names and MACs the interfaces get: unnamed ones become eth0, eth1...
// (skipping configured names), 'x' digits of hwaddr become random hex, and
// a secure interface without hwaddr gets one (its rules need the MAC).
std::vector<NetInterface> resolve_interfaces(std::vector<NetInterface> ifaces);

// Removes what a record lists (a run whose owner died): phys devices are
// given back, proxies, routes, links and secure tables removed. The record
// is emptied of what is gone and saved through `persist`.
void cleanup_record(HostRecord& record, Logger& log, const std::function<Status()>& persist,
                    const NetlinkFactory& factory = {});

// Brings a recorded phys device back to the host with its settings; `inside`
// is the container's netlink, or null when its namespace is gone. False when
// it could not be moved (it stays recorded).
bool give_back_phys(const PhysDevice& p, Netlink& host, Netlink* inside, int host_netns_fd,
                    Logger& log);

// script.up / script.down with LXC's arguments and environment.
Status run_net_script(const std::string& script, const std::string& hook, const LinkState& s,
                      const std::string& container, Logger& log);

}  // namespace kiste::net
