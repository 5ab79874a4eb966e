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
    return s;
}

}  // namespace kiste::cgroup::v1::memory
