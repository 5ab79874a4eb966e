#include "cgroup/resources.hpp"
#include "cgroup/v2/controllers.hpp"
#include "cgroup/values.hpp"

namespace kiste::cgroup::v2::pids {

Result<uint64_t> current(const Dir& d) {
    auto text = KISTE_TRY(read_file(d, "pids.current"));
    auto n = parse_uint(text);
    if (!n) return fail("{}: unexpected content '{}'", d.file("pids.current"), text);
    return *n;
}

}  // namespace kiste::cgroup::v2::pids

namespace kiste::cgroup::v2::pids {

uint64_t limit(const Dir& d) {
    auto text = read_file(d, "pids.max");
    return text ? parse_uint(*text).value_or(0) : 0;
}

uint64_t limit_hits(const Dir& d) {
    auto text = read_file(d, "pids.events");
    return text ? keyed_value(*text, "max").value_or(0) : 0;
}

}  // namespace kiste::cgroup::v2::pids

namespace kiste::cgroup::v2::pids {

Status apply(FileWriter& w, const Resources& r) {
    if (!r.pids_limit) return {};
    const std::string v = limit_text(*r.pids_limit, 2);
    return w.write("pids.max", v, source_of(r, "pids_limit", "pids.max", v));
}

}  // namespace kiste::cgroup::v2::pids
