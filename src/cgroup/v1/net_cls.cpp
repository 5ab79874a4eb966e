#include "cgroup/resources.hpp"
#include "cgroup/v1/controllers.hpp"

namespace kiste::cgroup::v1::net_cls {

Status apply(FileWriter& w, const Resources& r) {
    if (!r.net_cls_classid) return {};
    const std::string v = std::to_string(*r.net_cls_classid);
    return w.write("net_cls.classid", v, source_of(r, "net_cls_classid", "net_cls.classid", v));
}

}  // namespace kiste::cgroup::v1::net_cls
