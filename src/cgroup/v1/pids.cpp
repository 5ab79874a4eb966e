#include "cgroup/resources.hpp"
#include "cgroup/v1/controllers.hpp"
#include "cgroup/values.hpp"

namespace kiste::cgroup::v1::pids {

Result<uint64_t> current(const Dir& d) {
    auto text = KISTE_TRY(read_file(d, "pids.current"));
    auto n = parse_uint(text);
    if (!n) return fail("{}: unexpected content '{}'", d.file("pids.current"), text);
    return *n;
}

}  // namespace kiste::cgroup::v1::pids

namespace kiste::cgroup::v1::pids {

Status apply(FileWriter& w, const Resources& r) {
    if (!r.pids_limit) return {};
    // pids.max takes "max", not -1, on both layouts.
    const std::string v = limit_text(*r.pids_limit, 2);
    return w.write("pids.max", v, source_of(r, "pids_limit", "pids.max", v));
}

}  // namespace kiste::cgroup::v1::pids
