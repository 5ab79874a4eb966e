// Host networks: creating, listing and removing them, with the record in
// RUNROOT/@networks/NAME/ (see host_network.hpp).
#include "net/host_network.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/parse_number.hpp"
#include "base/scope_exit.hpp"
#include "net/host_network_proc.hpp"
#include "net/netlink.hpp"
#include "net/secure_nft.hpp"

namespace kiste::net {
namespace {

namespace fs = std::filesystem;

std::string record_dir(const std::string& run_root, const std::string& name) {
    return networks_dir(run_root) + "/" + name;
}
std::string record_file(const std::string& dir) {
    return dir + "/network.json";
}
std::string pid_file(const std::string& dir) {
    return dir + "/dnsmasq.pid";
}

Status write_record(const std::string& dir, const HostNetwork& n) {
    const std::string path = record_file(dir), tmp = path + ".tmp";
    const std::string text = host_network_to_json(n);
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) return fail_errno("writing {}", tmp);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        return fail_errno("writing {}", tmp);
    if (::rename(tmp.c_str(), path.c_str()) < 0) return fail_errno("renaming {}", tmp);
    return {};
}

Result<HostNetwork> read_record(const std::string& dir) {
    std::ifstream f(record_file(dir));
    if (!f) return fail_errno("reading {}", record_file(dir));
    std::stringstream ss;
    ss << f.rdbuf();
    return with_context(host_network_from_json(ss.str()), "reading {}", record_file(dir));
}

// The bridge's ports ("" bridge absent -> nullopt).
Result<std::optional<std::vector<std::string>>> bridge_ports(Netlink& nl,
                                                             const std::string& bridge) {
    auto br = KISTE_TRY(nl.link(bridge));
    if (!br) return std::nullopt;
    std::vector<std::string> ports;
    for (const auto& l : KISTE_TRY(nl.links()))
        if (l.master == br->index) ports.push_back(l.name);
    return ports;
}

Status enable_ipv4_forwarding(Logger& log) {
    const char* path = "/proc/sys/net/ipv4/ip_forward";
    UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
    if (!fd || ::write(fd.get(), "1", 1) != 1) return fail_errno("writing 1 to {}", path);
    log.info("IPv4 forwarding is on ({} = 1), as --nat needs", path);
    return {};
}

// Removes what a record names; every step runs, the first error is returned.
Status teardown(const std::string& dir, const HostNetwork& n, Netlink& nl, Logger& log) {
    Status first;
    auto keep = [&](Status st) {
        if (!st && first) first = std::move(st);
    };
    if (n.dnsmasq_pid > 0)
        keep(with_context(stop_dnsmasq({n.dnsmasq_pid, n.dnsmasq_start_time}, pid_file(dir), log),
                          "stopping dnsmasq of network {}", n.options.name));
    if (!n.nat_table.empty())
        keep(with_context(nft_run(nat_remove_script(n.nat_table)), "removing the NAT rule of {}",
                          n.options.name));
    if (nl.link_exists(n.options.name))
        keep(with_context(nl.delete_link(n.options.name), "removing bridge {}", n.options.name));
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) keep(fail("removing {}: {}", dir, ec.message()));
    // The parent goes when it is empty (rmdir fails otherwise, which is fine).
    ::rmdir(fs::path(dir).parent_path().c_str());
    return first;
}

// Refuses a subnet that an interface of the host has already.
Status check_subnet_free(Netlink& nl, const Address& subnet) {
    for (const auto& l : KISTE_TRY(nl.links())) {
        for (const auto& a : KISTE_TRY(nl.addresses(l.name))) {
            if (subnets_overlap(subnet, a))
                return fail("{}/{} overlaps {}/{} of interface {}", subnet.address.to_string(),
                            subnet.prefix, a.address.to_string(), a.prefix, l.name);
        }
    }
    return {};
}

}  // namespace

Result<HostNetwork> create_host_network(const std::string& run_root, const HostNetworkOptions& o,
                                        Logger& log) {
    HostNetwork n = KISTE_TRY(plan_host_network(o));
    const std::string dir = record_dir(run_root, o.name);
    std::error_code ec;
    fs::create_directories(networks_dir(run_root), ec);
    if (ec) return fail("creating {}: {}", networks_dir(run_root), ec.message());
    if (::mkdir(dir.c_str(), 0755) < 0) {
        if (errno == EEXIST) return fail("network {} exists already ({})", o.name, dir);
        return fail_errno("creating {}", dir);
    }
    std::unique_ptr<Netlink> nl;
    bool bridge_made = false;
    // Until the record is complete, a failure removes everything made so far.
    ScopeExit rollback([&] {
        if (!bridge_made) {  // an interface of that name is not ours: never delete it
            std::error_code ignored;
            fs::remove_all(dir, ignored);
            ::rmdir(networks_dir(run_root).c_str());
            return;
        }
        if (auto st = teardown(dir, n, *nl, log); !st)
            log.warn("cleaning up network {}: {}", o.name, st.error().message());
    });
    nl = KISTE_TRY(open_netlink());
    KISTE_TRY_CTX(check_subnet_free(*nl, *n.bridge_ipv4), "network {}", o.name);

    KISTE_TRY_CTX(create_bridge(o.name), "creating network {}", o.name);
    bridge_made = true;
    log.info("network {}: bridge created", o.name);
    KISTE_TRY_CTX(nl->add_address(o.name, *n.bridge_ipv4), "adding {} to {}", o.ipv4, o.name);
    if (n.bridge_ipv6)
        KISTE_TRY_CTX(nl->add_address(o.name, *n.bridge_ipv6), "adding {} to {}", o.ipv6, o.name);
    // Written now, so that a failure below (or a crash) leaves a record that
    // `kiste network rm` can act on.
    KISTE_TRY(write_record(dir, n));
    if (!n.dhcp_first.empty()) {
        auto p =
            KISTE_TRY_CTX(start_dnsmasq(dnsmasq_argv(n, dir), pid_file(dir), dir + "/dnsmasq.log"),
                          "network {}: starting dnsmasq", o.name);
        n.dnsmasq_pid = p.pid;
        n.dnsmasq_start_time = p.start_time;
        KISTE_TRY(write_record(dir, n));
        log.info("network {}: dnsmasq {} serves {}-{}", o.name, p.pid, n.dhcp_first, n.dhcp_last);
    }
    if (o.nat) {
        KISTE_TRY_CTX(nft_run(KISTE_TRY(nat_ruleset(n))), "network {}: adding the NAT rule",
                      o.name);
        KISTE_TRY(enable_ipv4_forwarding(log));
    }
    rollback.dismiss();
    return n;
}

Result<std::vector<HostNetworkStatus>> list_host_networks(const std::string& run_root) {
    std::vector<HostNetworkStatus> out;
    std::error_code ec;
    fs::directory_iterator it(networks_dir(run_root), ec);
    if (ec) {
        if (ec == std::errc::no_such_file_or_directory) return out;
        return fail("reading {}: {}", networks_dir(run_root), ec.message());
    }
    auto nl = KISTE_TRY(open_netlink());
    for (const auto& e : it) {
        if (!e.is_directory(ec)) continue;
        auto n = read_record(e.path());
        if (!n) continue;  // half-created by a concurrent create
        HostNetworkStatus s;
        s.network = *n;
        auto ports = KISTE_TRY(bridge_ports(*nl, n->options.name));
        s.bridge_present = ports.has_value();
        if (ports) s.ports = *ports;
        s.dnsmasq_running =
            is_our_dnsmasq(n->dnsmasq_pid, n->dnsmasq_start_time, pid_file(e.path()));
        out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.network.options.name < b.network.options.name;
    });
    return out;
}

Status remove_host_network(const std::string& run_root, const std::string& name, bool force,
                           Logger& log) {
    const std::string dir = record_dir(run_root, name);
    if (name.find('/') != std::string::npos || ::access(dir.c_str(), F_OK) < 0)
        return fail("no network {} (kiste network ls lists them)", name);
    HostNetwork n = KISTE_TRY(read_record(dir));
    auto nl = KISTE_TRY(open_netlink());
    auto ports = KISTE_TRY(bridge_ports(*nl, name));
    if (ports && !ports->empty() && !force) {
        std::string list;
        for (const auto& p : *ports) list += (list.empty() ? "" : ", ") + p;
        return fail("network {} is in use by {} (stop those containers, or use --force)", name,
                    list);
    }
    return with_context(teardown(dir, n, *nl, log), "removing network {}", name);
}

}  // namespace kiste::net
