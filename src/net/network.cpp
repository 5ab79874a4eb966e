#include "net/network.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "net/secure.hpp"

namespace kiste::net {

Result<UniqueFd> open_container_netns(pid_t pid) {
    std::string ns = fmt::format("/proc/{}/ns/net", pid);
    UniqueFd fd(::open(ns.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno("opening {}", ns);
    struct stat a {
    }, b{};
    if (::fstat(fd.get(), &a) == 0 && ::stat("/proc/self/ns/net", &b) == 0 &&
        a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        return fail(
            "network interfaces need a network namespace of the container's own, not the "
            "host's");
    return fd;
}

namespace {
// lxc.net.N.type = empty: no device (the namespace keeps its loopback); only
// its script.up / script.down run, as in LXC.
bool is_empty_type(const NetInterface& i) {
    return i.type == "empty";
}
}  // namespace

std::vector<NetInterface> resolve_interfaces(std::vector<NetInterface> ifaces) {
    std::set<std::string> taken;
    for (const auto& i : ifaces)
        if (!i.name.empty() && !is_empty_type(i)) taken.insert(i.name);
    unsigned next = 0;
    for (auto& i : ifaces) {
        if (is_empty_type(i)) continue;
        if (i.name.empty()) {
            while (taken.contains(fmt::format("eth{}", next))) ++next;
            i.name = fmt::format("eth{}", next++);
            taken.insert(i.name);
        }
        // LXC's own OUI for the secure network's MAC, which its rules need.
        if (i.hwaddr.empty() && i.secure) i.hwaddr = "00:16:3e:xx:xx:xx";
        if (!i.hwaddr.empty()) i.hwaddr = complete_hwaddr(i.hwaddr);
    }
    return ifaces;
}

ContainerNetwork::ContainerNetwork(std::vector<NetInterface> ifaces, std::string container,
                                   std::string run_root, HostRecord& record,
                                   std::function<Status()> persist, Logger& log,
                                   NetlinkFactory factory)
    : ifaces_(std::move(ifaces)),
      container_(std::move(container)),
      run_root_(std::move(run_root)),
      record_(record),
      persist_(std::move(persist)),
      log_(log),
      factory_(std::move(factory)) {}

ContainerNetwork::~ContainerNetwork() {
    teardown();
}

Status ContainerNetwork::setup(pid_t pid) {
    teardown();
    if (ifaces_.empty()) return {};
    auto resolved = resolve_interfaces(ifaces_);
    // Only `empty` interfaces: no device to make, so no netlink and no
    // namespace to open (their scripts still run).
    auto device = std::find_if(resolved.begin(), resolved.end(),
                               [](const NetInterface& n) { return !is_empty_type(n); });
    if (device != resolved.end()) {
        if (!host_) host_ = KISTE_TRY(factory_.host());
        netns_ = KISTE_TRY_CTX(factory_.netns(pid), "{}", device->origin);
        host_netns_.reset(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
        if (!host_netns_) return fail_errno("opening /proc/self/ns/net");
        inside_ = KISTE_TRY(factory_.inside(netns_.get()));
    }
    for (size_t i = 0; i < resolved.size(); ++i) {
        LinkState st;
        st.cfg = std::move(resolved[i]);
        st.index = static_cast<unsigned>(i);
        states_.push_back(std::move(st));
        up_ran_.push_back(false);
        const NetInterface& c = states_[i].cfg;
        // (an empty interface has no name; the config line is named once:
        // most checks below already lead with it)
        if (auto st = setup_one(i); !st) {
            const bool named = st.error().message(false).find(c.origin) != std::string::npos;
            return fail(std::move(st.error())
                            .context(fmt::format("network interface {}({}{}{})",
                                                 is_empty_type(c) ? "" : c.name + " ", c.type,
                                                 named ? "" : ", ", named ? "" : c.origin)));
        }
    }
    return {};
}

Status ContainerNetwork::setup_one(size_t i) {
    LinkState& s = states_[i];
    if (!is_empty_type(s.cfg)) KISTE_TRY(setup_device(s));
    if (!s.cfg.script_up.empty()) {
        KISTE_TRY(run_net_script(s.cfg.script_up, "up", s, container_, log_));
        up_ran_[i] = true;
    }
    return {};
}

Status ContainerNetwork::setup_device(LinkState& s) {
    const LinkOps* ops = link_ops(s.cfg.type);
    if (ops == nullptr) return fail("network type '{}' is not supported", s.cfg.type);
    HostSide h{*host_, record_, persist_, log_, container_, run_root_, factory_.sysctl};
    std::string dev = KISTE_TRY(ops->outside(s, h));
    KISTE_TRY(host_->move_to_netns(dev, netns_.get(), s.cfg.name));
    s.moved = true;
    KISTE_TRY(configure_inside(s, *inside_, *host_));
    return ops->host_after(s, h);
}

namespace {

// Removes the recorded secure tables, proxies and routes, keeping in the
// record only what could not be removed.
void remove_entries(HostRecord& r, Netlink& host, Logger& log) {
    std::vector<std::string> tables;
    for (const auto& t : r.secure_tables)
        if (auto st = secure_remove(t, log); !st) {
            log.warn("removing secure network table {}: {}", t, st.error().message());
            tables.push_back(t);
        }
    r.secure_tables = std::move(tables);
    // Entries on a device that is gone went with it.
    for (const auto& p : r.proxies)
        if (host.link_exists(p.dev))
            if (auto st = host.del_proxy(p.dev, p.address); !st && st.error().code() != ENOENT)
                log.warn("{}", st.error().message());
    r.proxies.clear();
    for (const auto& rt : r.routes)
        if (host.link_exists(rt.dev))
            if (auto st = host.del_route({rt.dst, {}, rt.dev, false});
                !st && st.error().code() != ESRCH && st.error().code() != ENOENT)
                log.debug("{}", st.error().message());
    r.routes.clear();
}

// Removes the recorded links that are still there.
void remove_links(HostRecord& r, Netlink& host, Logger& log) {
    std::vector<std::string> left;
    for (const auto& l : r.links) {
        if (!host.link_exists(l)) continue;
        if (auto st = host.delete_link(l); !st) {
            // A veth whose peer went first takes its partner with it.
            if (!host.link_exists(l)) continue;
            log.warn("{}", st.error().message());
            left.push_back(l);
        }
    }
    r.links = std::move(left);
}

}  // namespace

void ContainerNetwork::teardown() {
    if (states_.empty() && record_.empty()) return;
    // LXC's order: script.down while everything is there (an `empty`
    // interface has nothing else), then the host entries, then the devices.
    for (size_t i = states_.size(); i-- > 0;) {
        const LinkState& s = states_[i];
        if (up_ran_[i] && !s.cfg.script_down.empty())
            if (auto st = run_net_script(s.cfg.script_down, "down", s, container_, log_); !st)
                log_.warn("{}", st.error().message());
    }
    if (host_) {
        HostSide h{*host_, record_, persist_, log_, container_, run_root_, factory_.sysctl};
        remove_entries(record_, *host_, log_);
        for (size_t i = states_.size(); i-- > 0;)
            if (const LinkOps* ops = link_ops(states_[i].cfg.type))
                ops->teardown(states_[i], h, inside_.get(), host_netns_.get());
        remove_links(record_, *host_, log_);
        if (auto st = persist_(); !st) log_.warn("{}", st.error().message());
    }
    states_.clear();
    up_ran_.clear();
    inside_.reset();
    netns_.reset();
}

void cleanup_record(HostRecord& record, Logger& log, const std::function<Status()>& persist,
                    const NetlinkFactory& factory) {
    if (record.empty()) return;
    auto host = factory.host();
    if (!host) {
        log.warn("cleaning up the network: {}", host.error().message());
        return;
    }
    std::vector<PhysDevice> kept;
    for (const auto& p : record.phys)
        if (!give_back_phys(p, **host, nullptr, -1, log)) kept.push_back(p);
    record.phys = std::move(kept);
    remove_entries(record, **host, log);
    remove_links(record, **host, log);
    if (auto st = persist(); !st) log.warn("{}", st.error().message());
}

}  // namespace kiste::net
