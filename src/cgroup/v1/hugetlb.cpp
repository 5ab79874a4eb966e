#include <fmt/format.h>

#include "cgroup/resources.hpp"
#include "cgroup/v1/controllers.hpp"

namespace kiste::cgroup::v1::hugetlb {

Status apply(FileWriter& w, const Resources& r) {
    for (const auto& h : r.hugepage_limits) {
        const std::string file = fmt::format("hugetlb.{}.limit_in_bytes", h.pagesize);
        const std::string v = limit_text(h.limit, 1);
        KISTE_TRY(w.write(file, v, source_of(r, "hugepage_limits", file, v)));
    }
    return {};
}

}  // namespace kiste::cgroup::v1::hugetlb
