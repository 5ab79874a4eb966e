#include "cgroup/resources.hpp"
#include "cgroup/v2/controllers.hpp"

namespace kiste::cgroup::v2::cpuset {

Status apply(FileWriter& w, const Resources& r) {
    if (!r.cpuset_cpus.empty())
        KISTE_TRY(w.write("cpuset.cpus", r.cpuset_cpus,
                          source_of(r, "cpuset_cpus", "cpuset.cpus", r.cpuset_cpus)));
    if (!r.cpuset_mems.empty())
        KISTE_TRY(w.write("cpuset.mems", r.cpuset_mems,
                          source_of(r, "cpuset_mems", "cpuset.mems", r.cpuset_mems)));
    return {};
}

}  // namespace kiste::cgroup::v2::cpuset
