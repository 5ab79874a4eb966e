// macvlan (modes private, vepa, bridge, passthru) on the host device `link`:
// made on the host under a temporary name, then moved into the container.
#include "net/link.hpp"

namespace kiste::net {

namespace {

Result<std::string> macvlan_outside(LinkState& s, HostSide& h) {
    if (s.cfg.link.empty())
        return fail("{}: a macvlan interface needs a link (its parent)", s.cfg.origin);
    s.move_dev = random_ifname("mv");
    KISTE_TRY(record_link(h, s.move_dev));
    KISTE_TRY(h.nl.create_macvlan(s.move_dev, s.cfg.link, s.cfg.macvlan_mode));
    return s.move_dev;
}

}  // namespace

const LinkOps& macvlan_ops() {
    static const LinkOps ops{macvlan_outside, add_l2proxy, teardown_created};
    return ops;
}

}  // namespace kiste::net
