#include <fmt/format.h>

#include "cgroup/resources.hpp"
#include "cgroup/translate.hpp"
#include "cgroup/v2/controllers.hpp"

namespace kiste::cgroup::v2::cpu {

Result<uint64_t> usage_ns(const Dir& d) {
    auto text = KISTE_TRY(read_file(d, "cpu.stat"));
    auto usec = keyed_value(text, "usage_usec");
    if (!usec) return fail("{}: no usage_usec", d.file("cpu.stat"));
    return *usec * 1000;
}

}  // namespace kiste::cgroup::v2::cpu

namespace kiste::cgroup::v2::cpu {

namespace {
constexpr uint64_t kDefaultPeriod = 100000;
}  // namespace

Status apply(FileWriter& w, const Resources& r) {
    auto put = [&](const char* field, const char* file, const std::string& v) {
        return w.write(file, v, source_of(r, field, file, v));
    };
    if (r.cpu_weight)
        KISTE_TRY(put("cpu_weight", "cpu.weight", std::to_string(*r.cpu_weight)));
    else if (r.cpu_shares)
        KISTE_TRY(put("cpu_shares", "cpu.weight", std::to_string(shares_to_weight(*r.cpu_shares))));
    if (r.cpu_quota || r.cpu_period) {
        const std::string quota = r.cpu_quota ? limit_text(*r.cpu_quota, 2) : "max";
        KISTE_TRY(put(r.cpu_quota ? "cpu_quota" : "cpu_period", "cpu.max",
                      fmt::format("{} {}", quota, r.cpu_period.value_or(kDefaultPeriod))));
    }
    const std::pair<const char*, bool> rt[] = {{"cpu_rt_period", r.cpu_rt_period.has_value()},
                                               {"cpu_rt_runtime", r.cpu_rt_runtime.has_value()}};
    for (const auto& [field, set] : rt)
        if (set)
            w.note(
                fmt::format("{}: not applied on this cgroup v2 host: cgroup v2 has no real-time "
                            "bandwidth per cgroup (kernel.sched_rt_runtime_us)",
                            origin_text(r, field)));
    return {};
}

}  // namespace kiste::cgroup::v2::cpu
