#include "cgroup/settings.hpp"

#include <algorithm>
#include <set>

#include "cgroup/resources.hpp"
#include "cgroup/translate.hpp"
#include "cgroup/values.hpp"

#include <fmt/format.h>

namespace kiste::cgroup {

std::string describe(const CgroupConfig::Setting& s) {
    std::string what =
        fmt::format("lxc.cgroup{}.{} = {}", s.version == 2 ? "2" : "", s.key, s.value);
    return s.origin.empty() ? what : s.origin + ": " + what;
}

int write_rank(int version, std::string_view key) {
    if (key == "cpuset.cpus") return 0;
    if (key == "cpuset.mems") return 1;
    if (key.starts_with("cpuset.")) return 2;
    if (version == 1) {
        if (key == "memory.limit_in_bytes") return 10;
        if (key == "memory.memsw.limit_in_bytes") return 11;
        if (key.starts_with("memory.")) return 12;
        if (key == "cpu.cfs_period_us") return 20;
        if (key == "cpu.cfs_quota_us") return 21;
        if (key == "cpu.rt_period_us") return 22;
        if (key == "cpu.rt_runtime_us") return 23;
        if (key == "freezer.state") return 90;
    } else {
        if (key == "memory.min") return 10;
        if (key == "memory.low") return 11;
        if (key == "memory.high") return 12;
        if (key == "memory.max") return 13;
        if (key == "memory.swap.max") return 14;
        if (key.starts_with("memory.")) return 15;
        if (key.starts_with("cpu.")) return 20;
        if (key == "cgroup.freeze") return 90;
    }
    return 50;
}

namespace {

// Why a known file can be missing, for the note.
std::string_view missing_because(std::string_view file) {
    if (file == "blkio.weight" || file == "blkio.weight_device" || file == "blkio.bfq.weight" ||
        file == "blkio.bfq.weight_device")
        return "no CFQ/BFQ I/O scheduler";
    if (file == "io.weight" || file == "io.bfq.weight")
        return "no io.cost controller or BFQ I/O scheduler";
    if (file.starts_with("memory.memsw.") || file == "memory.swap.max")
        return "swap accounting is off (swapaccount=1 on the kernel command line)";
    if (file.starts_with("hugetlb.")) return "no huge page size of that name";
    if (file.starts_with("cpu.rt_")) return "no CONFIG_RT_GROUP_SCHED";
    return {};
}

}  // namespace

std::string unapplied_note(const std::string& source, const std::string& file,
                           const std::string& why) {
    const std::string ctrl = file.substr(0, file.find('.'));
    std::string because = why.empty() ? std::string(missing_because(file)) : why;
    return fmt::format("{}: the {} controller has no {} file on this host{}; not applied", source,
                       ctrl, file, because.empty() ? "" : " (" + because + ")");
}

Result<Plan> plan_settings(const CgroupConfig& given, int target, bool unified) {
    const CgroupConfig cfg = KISTE_TRY(absorb_settings(given));
    Plan plan;
    plan.resources = effective_resources(cfg, target, &plan.notes);
    std::set<std::string, std::less<>> native;  // files the host's own keys write
    for (const auto& s : cfg.settings)
        if (s.version == target) native.insert(s.key);

    for (const auto& s : cfg.settings) {
        const std::string source = describe(s);
        if (s.version != 1 && s.version != 2)
            return fail("{}: unknown cgroup version {}", source, s.version);
        // LXC takes device rules in v1 syntax under both prefixes; on v2 they
        // become the eBPF device program.
        const bool device = s.key == "devices.allow" || s.key == "devices.deny";
        if (device && target == 2) {
            plan.devices.push_back({s.key == "devices.allow", s.value, source});
            continue;
        }
        if (s.version == target || device) {
            plan.writes.push_back({s.key, normalize_value(target, s.key, s.value), source,
                                   write_rank(target, s.key)});
            continue;
        }
        // A v2 core file on a hybrid host goes to its cgroup2 mount unchanged.
        if (target == 1 && unified && s.key.starts_with("cgroup.") && s.key != "cgroup.freeze") {
            plan.writes.push_back({s.key, s.value, source, write_rank(2, s.key)});
            continue;
        }
        Translation t = target == 2 ? v1_to_v2(s.key, s.value) : v2_to_v1(s.key, s.value);
        if (!t.note.empty())
            plan.notes.push_back(
                fmt::format("{}: not applied on this cgroup v{} host: {}", source, target, t.note));
        for (auto& w : t.writes) {
            if (native.contains(w.key)) {
                plan.notes.push_back(fmt::format("{}: not translated: lxc.cgroup{}.{} is set",
                                                 source, target == 2 ? "2" : "", w.key));
                continue;
            }
            std::string src = fmt::format("{} (as {})", source, w.key);
            const int rank = write_rank(target, w.key);
            plan.writes.push_back({std::move(w.key), std::move(w.value), std::move(src), rank});
        }
    }
    // Raw device rules replace the typed ones (an LXC config's own rules
    // replace LXC's default set).
    const bool raw_devices =
        !plan.devices.empty() || std::any_of(plan.writes.begin(), plan.writes.end(), [](auto& w) {
            return w.key == "devices.allow" || w.key == "devices.deny";
        });
    if (raw_devices) plan.resources.devices.clear();
    if (!plan.resources.devices.empty())
        plan.devices_source = origin_text(plan.resources, "devices");
    std::stable_sort(plan.writes.begin(), plan.writes.end(),
                     [](const auto& a, const auto& b) { return a.rank < b.rank; });
    return plan;
}

}  // namespace kiste::cgroup
