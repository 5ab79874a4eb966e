#include "cgroup/v1/controllers.hpp"
#include "cgroup/values.hpp"

namespace kiste::cgroup::v1::cpuacct {

Result<uint64_t> usage_ns(const Dir& d) {
    auto text = KISTE_TRY(read_file(d, "cpuacct.usage"));
    auto n = parse_uint(text);
    if (!n) return fail("{}: unexpected content '{}'", d.file("cpuacct.usage"), text);
    return *n;
}

}  // namespace kiste::cgroup::v1::cpuacct
