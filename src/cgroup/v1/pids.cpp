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
