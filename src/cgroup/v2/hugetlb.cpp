#include <fmt/format.h>

#include "cgroup/resources.hpp"
#include "cgroup/v2/controllers.hpp"

namespace kiste::cgroup::v2::hugetlb {

Status apply(FileWriter& w, const Resources& r) {
    for (const auto& h : r.hugepage_limits) {
        const std::string file = fmt::format("hugetlb.{}.max", h.pagesize);
        const std::string v = limit_text(h.limit, 2);
        KISTE_TRY(w.write(file, v, source_of(r, "hugepage_limits", file, v)));
    }
    return {};
}

}  // namespace kiste::cgroup::v2::hugetlb
