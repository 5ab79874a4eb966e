// kiste top's sampling and table (see set.hpp).
#include <algorithm>

#include "manager/info.hpp"
#include "manager/set.hpp"

namespace kiste::manager {

namespace {

std::string bytes_or_dash(uint64_t n) {
    return n == 0 ? std::string("-") : human_bytes(n);
}

}  // namespace

std::vector<TopSample> sample_all(const std::string& lxcpath) {
    std::vector<TopSample> out;
    for (const auto& name : state::list_containers(lxcpath)) {
        TopSample s;
        s.name = name;
        state::ContainerPaths paths{lxcpath, name};
        auto obs = state::observe(paths);
        s.state = state::state_name(obs.state);
        if (obs.state != state::State::Stopped && obs.recorded &&
            !obs.recorded->cgroup_paths.empty()) {
            if (auto m = cgroup::open_manager(obs.recorded->cgroup_paths)) {
                if (auto st = (*m)->stats()) {
                    s.stats = *st;
                    s.has_stats = true;
                }
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::string format_top(const std::vector<TopSample>& before, const std::vector<TopSample>& now,
                       double seconds) {
    std::string out = fmt::format(
        "{:<20} {:<8} {:>6} {:>10} {:>10} {:>9} {:>10} {:>10} {:>5} {:>5} "
        "{:>7} {:>7}\n",
        "NAME", "STATE", "CPU%", "MEM", "MEMLIMIT", "SWAP", "BLK-READ", "BLK-WRITE", "PIDS", "PLIM",
        "MEMFAIL", "PIDFAIL");
    for (const auto& s : now) {
        if (!s.has_stats) {
            out += fmt::format("{:<20} {:<8}\n", s.name, s.state);
            continue;
        }
        std::string cpu = "-";
        auto prev = std::find_if(before.begin(), before.end(),
                                 [&](const TopSample& b) { return b.name == s.name; });
        if (prev != before.end() && prev->has_stats && seconds > 0 &&
            s.stats.cpu_usage_ns >= prev->stats.cpu_usage_ns) {
            const double used =
                static_cast<double>(s.stats.cpu_usage_ns - prev->stats.cpu_usage_ns);
            cpu = fmt::format("{:.1f}", used / (seconds * 1e9) * 100.0);
        }
        const auto& t = s.stats;
        out += fmt::format(
            "{:<20} {:<8} {:>6} {:>10} {:>10} {:>9} {:>10} {:>10} {:>5} {:>5} {:>7} {:>7}\n",
            s.name, s.state, cpu, human_bytes(t.memory_usage), bytes_or_dash(t.memory_limit),
            human_bytes(t.swap_usage), human_bytes(t.io_read_bytes), human_bytes(t.io_write_bytes),
            t.pids, t.pids_limit == 0 ? std::string("-") : std::to_string(t.pids_limit),
            t.memory_limit_hits, t.pids_limit_hits);
    }
    return out;
}

}  // namespace kiste::manager
