#include "cgroup/resources.hpp"
#include "cgroup/translate.hpp"
#include "cgroup/v1/controllers.hpp"

namespace kiste::cgroup::v1::cpu {

Status apply(FileWriter& w, const Resources& r) {
    auto put = [&](const char* field, const char* file, const std::string& v) {
        return w.write(file, v, source_of(r, field, file, v));
    };
    if (r.cpu_shares)
        KISTE_TRY(put("cpu_shares", "cpu.shares", std::to_string(*r.cpu_shares)));
    else if (r.cpu_weight)
        KISTE_TRY(put("cpu_weight", "cpu.shares", std::to_string(weight_to_shares(*r.cpu_weight))));
    // The period first: the kernel checks a quota against the current period.
    if (r.cpu_period)
        KISTE_TRY(put(r.cpu_quota ? "cpu_quota" : "cpu_period", "cpu.cfs_period_us",
                      std::to_string(*r.cpu_period)));
    if (r.cpu_quota) KISTE_TRY(put("cpu_quota", "cpu.cfs_quota_us", limit_text(*r.cpu_quota, 1)));
    if (r.cpu_rt_period)
        KISTE_TRY(put("cpu_rt_period", "cpu.rt_period_us", std::to_string(*r.cpu_rt_period)));
    if (r.cpu_rt_runtime)
        KISTE_TRY(put("cpu_rt_runtime", "cpu.rt_runtime_us", std::to_string(*r.cpu_rt_runtime)));
    return {};
}

}  // namespace kiste::cgroup::v1::cpu
