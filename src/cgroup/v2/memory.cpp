#include "cgroup/v2/controllers.hpp"
#include "cgroup/values.hpp"

namespace kiste::cgroup::v2::memory {

Result<Stats> stats(const Dir& d) {
    Stats s;
    auto cur = KISTE_TRY(read_file(d, "memory.current"));
    s.usage = parse_uint(cur).value_or(0);
    auto max = KISTE_TRY(read_file(d, "memory.max"));
    s.limit = max == "max" ? 0 : parse_uint(max).value_or(0);
    if (auto ev = read_file(d, "memory.events")) {
        s.oom_kills = keyed_value(*ev, "oom_kill").value_or(0);
        s.max_hits = keyed_value(*ev, "max").value_or(0);
    }
    if (auto sw = read_file(d, "memory.swap.current")) s.swap = parse_uint(*sw).value_or(0);
    return s;
}

}  // namespace kiste::cgroup::v2::memory
