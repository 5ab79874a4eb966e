// ipvlan (modes l2, l3, l3s; isolation bridge, private, vepa) on the host
// device `link`: made on the host under a temporary name, moved in.
#include "net/link.hpp"

namespace kiste::net {

namespace {
Result<std::string> ipvlan_outside(LinkState& s, HostSide& h) {
    if (s.cfg.link.empty())
        return fail("{}: an ipvlan interface needs a link (its parent)", s.cfg.origin);
    s.move_dev = random_ifname("iv");
    KISTE_TRY(record_link(h, s.move_dev));
    KISTE_TRY(
        h.nl.create_ipvlan(s.move_dev, s.cfg.link, s.cfg.ipvlan_mode, s.cfg.ipvlan_isolation));
    return s.move_dev;
}
}  // namespace

const LinkOps& ipvlan_ops() {
    static const LinkOps ops{ipvlan_outside, add_l2proxy, teardown_created};
    return ops;
}

}  // namespace kiste::net
