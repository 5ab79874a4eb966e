// phys: a host interface (`link`) moved into the container, and given back
// at stop with its original name, MAC, MTU and up state (recorded first).
#include <chrono>
#include <thread>

#include "net/link.hpp"
#include "net/network.hpp"

namespace kiste::net {

namespace {

Result<std::string> phys_outside(LinkState& s, HostSide& h) {
    if (s.cfg.link.empty())
        return fail("{}: a phys interface needs a link (the host device to move in)", s.cfg.origin);
    auto dev = KISTE_TRY(h.nl.link(s.cfg.link));
    if (!dev) return fail("{}: the link {}: no such interface", s.cfg.origin, s.cfg.link);
    if (dev->kind == "bridge")
        return fail("{}: the link {}: a bridge; a phys interface must be a device", s.cfg.origin,
                    s.cfg.link);
    s.host_dev = s.cfg.link;
    h.record.phys.push_back({dev->name, s.cfg.name, dev->index, dev->hwaddr, dev->mtu, dev->up});
    KISTE_TRY(h.persist());
    return s.cfg.link;
}

void phys_teardown(LinkState& s, HostSide& h, Netlink* inside, int host_netns_fd) {
    for (auto it = h.record.phys.begin(); it != h.record.phys.end(); ++it) {
        if (it->name != s.host_dev) continue;
        if (give_back_phys(*it, h.nl, inside, host_netns_fd, h.log)) {
            h.record.phys.erase(it);
            (void)h.persist();
        }
        return;
    }
}

// Restores the recorded settings of a device that is back on the host.
void restore(const PhysDevice& p, Netlink& host, Logger& log) {
    auto warn = [&](const Status& st) {
        if (!st) log.warn("giving back {}: {}", p.name, st.error().message());
    };
    auto now = host.link(p.name);
    if (!now || !*now) return;
    if (p.mtu != 0 && (*now)->mtu != p.mtu) warn(host.set_mtu(p.name, p.mtu));
    if (!p.hwaddr.empty() && (*now)->hwaddr != p.hwaddr) warn(host.set_hwaddr(p.name, p.hwaddr));
    if ((*now)->up != p.up) warn(host.set_up(p.name, p.up));
}

}  // namespace

bool give_back_phys(const PhysDevice& p, Netlink& host, Netlink* inside, int host_netns_fd,
                    Logger& log) {
    if (inside != nullptr) {
        // Found by index: the container may have renamed it.
        auto cur = inside->link_by_index(p.ifindex);
        if (cur && *cur) {
            (void)inside->set_up((*cur)->name, false);
            if (auto st = inside->move_to_netns((*cur)->name, host_netns_fd, p.name); !st) {
                log.error("giving back {}: {}", p.name, st.error().message());
                return false;
            }
            restore(p, host, log);
            return true;
        }
    }
    // The namespace is gone: the kernel hands physical devices back to the
    // host (under their inside name, or devN), asynchronously. Virtual ones
    // (a veth end) die with the namespace instead.
    for (int i = 0; i < 50; ++i) {
        auto by_index = host.link_by_index(p.ifindex);
        if (by_index && *by_index && (p.hwaddr.empty() || (*by_index)->hwaddr == p.hwaddr)) {
            if ((*by_index)->name != p.name) {
                if (auto st = host.set_name((*by_index)->name, p.name); !st) {
                    log.error("giving back {}: {}", p.name, st.error().message());
                    return false;
                }
            }
            restore(p, host, log);
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
    log.warn(
        "phys interface {} (index {}) did not come back to the host (a virtual device dies "
        "with the container's network namespace)",
        p.name, p.ifindex);
    return true;  // nothing left to give back
}

const LinkOps& phys_ops() {
    static const LinkOps ops{phys_outside, add_l2proxy, phys_teardown};
    return ops;
}

}  // namespace kiste::net
