#include <fmt/format.h>

#include "cgroup/resources.hpp"
#include "cgroup/v2/controllers.hpp"

namespace kiste::cgroup::v2::net_cls {

Status apply(FileWriter& w, const Resources& r) {
    if (r.net_cls_classid)
        w.note(fmt::format(
            "{}: not applied on this cgroup v2 host: cgroup v2 has no net_cls/net_prio; match the "
            "container's cgroup with nftables 'socket cgroupv2' or set SO_PRIORITY instead",
            origin_text(r, "net_cls_classid")));
    return {};
}

}  // namespace kiste::cgroup::v2::net_cls
