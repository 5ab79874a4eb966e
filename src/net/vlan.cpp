// vlan: an 802.1Q device with vlan.id on the host device `link`, made on
// the host under a temporary name and moved in.
#include "net/link.hpp"

namespace kiste::net {

namespace {
Result<std::string> vlan_outside(LinkState& s, HostSide& h) {
    if (s.cfg.link.empty() || !s.cfg.vlan_id)
        return fail("{}: a vlan interface needs a link (its parent) and a VLAN id", s.cfg.origin);
    s.move_dev = random_ifname("vl");
    KISTE_TRY(record_link(h, s.move_dev));
    KISTE_TRY(h.nl.create_vlan(s.move_dev, s.cfg.link, *s.cfg.vlan_id));
    return s.move_dev;
}
}  // namespace

const LinkOps& vlan_ops() {
    static const LinkOps ops{vlan_outside, add_l2proxy, teardown_created};
    return ops;
}

}  // namespace kiste::net
