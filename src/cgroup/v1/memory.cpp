#include <algorithm>

#include "cgroup/v1/controllers.hpp"
#include "cgroup/values.hpp"

namespace kiste::cgroup::v1::memory {

bool is_unlimited(uint64_t bytes) {
    return bytes >= (uint64_t{1} << 62);
}

Result<Stats> stats(const Dir& d) {
    Stats s;
    auto num = [&](const char* file) -> Result<uint64_t> {
        auto text = KISTE_TRY(read_file(d, file));
        auto n = parse_uint(text);
        if (!n) return fail("{}: unexpected content '{}'", d.file(file), text);
        return *n;
    };
    s.usage = KISTE_TRY(num("memory.usage_in_bytes"));
    s.limit = KISTE_TRY(num("memory.limit_in_bytes"));
    if (is_unlimited(s.limit)) s.limit = 0;
    // "oom_kill N" appeared in 4.13; older kernels only say under_oom.
    if (auto oom = read_file(d, "memory.oom_control"))
        s.oom_kills = keyed_value(*oom, "oom_kill").value_or(0);
    // A charge that fails on the memsw counter (memory plus swap) counts
    // there, not in memory.failcnt: both are limit hits.
    for (const char* f : {"memory.failcnt", "memory.memsw.failcnt"})
        if (auto n = read_file(d, f)) s.failcnt += parse_uint(*n).value_or(0);
    // Recent kernels (6.x) leave the v1 failcnt at 0; an OOM kill is a hit
    // of the limit all the same.
    s.failcnt = std::max(s.failcnt, s.oom_kills);
    // memsw counts memory plus swap (only with swap accounting).
    if (auto sw = read_file(d, "memory.memsw.usage_in_bytes")) {
        const uint64_t both = parse_uint(*sw).value_or(0);
        s.swap = both > s.usage ? both - s.usage : 0;
    }
    return s;
}

}  // namespace kiste::cgroup::v1::memory
