#include <fmt/format.h>

#include "cgroup/resources.hpp"
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

namespace kiste::cgroup::v2::memory {

Status apply(FileWriter& w, const Resources& r) {
    auto put = [&](const char* field, const char* file, const std::string& v) {
        return w.write(file, v, source_of(r, field, file, v));
    };
    auto untranslated = [&](const char* field, const char* why) {
        w.note(
            fmt::format("{}: not applied on this cgroup v2 host: {}", origin_text(r, field), why));
    };
    if (r.memory_reservation)
        KISTE_TRY(put("memory_reservation", "memory.low", limit_text(*r.memory_reservation, 2)));
    if (r.memory_limit)
        KISTE_TRY(put("memory_limit", "memory.max", limit_text(*r.memory_limit, 2)));
    if (r.memory_swap) {
        KISTE_TRY(put("memory_swap", "memory.swap.max", limit_text(*r.memory_swap, 2)));
    } else if (r.memory_swap_limit) {
        // v1 limits memory and swap together; v2 swap alone.
        const int64_t memsw = *r.memory_swap_limit;
        if (memsw < 0)
            KISTE_TRY(put("memory_swap_limit", "memory.swap.max", "max"));
        else if (!r.memory_limit || *r.memory_limit < 0)
            untranslated("memory_swap_limit",
                         "memory.memsw.limit_in_bytes needs memory.limit_in_bytes to become "
                         "memory.swap.max on cgroup v2; set lxc.cgroup2.memory.swap.max instead");
        else if (memsw < *r.memory_limit)
            untranslated("memory_swap_limit",
                         "memory.memsw.limit_in_bytes is below memory.limit_in_bytes");
        else
            KISTE_TRY(put("memory_swap_limit", "memory.swap.max",
                          std::to_string(memsw - *r.memory_limit)));
    }
    if (r.memory_swappiness)
        untranslated("memory_swappiness",
                     "cgroup v2 has no per-cgroup swappiness; limit swap with memory.swap.max");
    if (r.oom_kill_disable)
        untranslated("oom_kill_disable",
                     "cgroup v2 cannot disable the OOM killer; memory.oom.group kills the whole "
                     "cgroup instead");
    return {};
}

}  // namespace kiste::cgroup::v2::memory
