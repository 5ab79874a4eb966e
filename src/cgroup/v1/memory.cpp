#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "cgroup/resources.hpp"
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

namespace kiste::cgroup::v1::memory {

namespace {
constexpr const char* kLimit = "memory.limit_in_bytes";
constexpr const char* kMemsw = "memory.memsw.limit_in_bytes";
}  // namespace

Status apply(FileWriter& w, const Resources& r) {
    // memsw counts memory plus swap; a v2-form swap limit adds to the memory limit.
    std::optional<int64_t> memsw = r.memory_swap_limit;
    std::string memsw_field = "memory_swap_limit";
    if (!memsw && r.memory_swap) {
        memsw_field = "memory_swap";
        if (*r.memory_swap < 0)
            memsw = -1;
        else if (r.memory_limit && *r.memory_limit >= 0)
            memsw = *r.memory_limit + *r.memory_swap;
        else
            w.note(
                fmt::format("{}: not applied on this cgroup v1 host: memory.swap.max needs "
                            "memory.max to become memory.memsw.limit_in_bytes",
                            origin_text(r, "memory_swap")));
    }
    bool memsw_written = false;
    if (r.memory_limit) {
        const std::string v = limit_text(*r.memory_limit, 1);
        auto st = w.try_write(kLimit, v);
        // Raising the memory limit above the current memsw limit fails:
        // then memsw goes first (runc does the same).
        if (!st && st.error().code() == EINVAL && memsw) {
            const std::string m = limit_text(*memsw, 1);
            KISTE_TRY(w.write(kMemsw, m, source_of(r, memsw_field, kMemsw, m)));
            memsw_written = true;
            st = w.try_write(kLimit, v);
        }
        if (!st) KISTE_TRY(w.write(kLimit, v, source_of(r, "memory_limit", kLimit, v)));
    }
    if (memsw && !memsw_written) {
        const std::string m = limit_text(*memsw, 1);
        KISTE_TRY(w.write(kMemsw, m, source_of(r, memsw_field, kMemsw, m)));
    }
    if (r.memory_reservation) {
        const std::string v = limit_text(*r.memory_reservation, 1);
        KISTE_TRY(w.write("memory.soft_limit_in_bytes", v,
                          source_of(r, "memory_reservation", "memory.soft_limit_in_bytes", v)));
    }
    if (r.memory_swappiness) {
        const std::string v = std::to_string(*r.memory_swappiness);
        KISTE_TRY(w.write("memory.swappiness", v,
                          source_of(r, "memory_swappiness", "memory.swappiness", v)));
    }
    if (r.oom_kill_disable) {
        const std::string v = *r.oom_kill_disable ? "1" : "0";
        KISTE_TRY(w.write("memory.oom_control", v,
                          source_of(r, "oom_kill_disable", "memory.oom_control", v)));
    }
    return {};
}

}  // namespace kiste::cgroup::v1::memory
