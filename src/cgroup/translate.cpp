#include "cgroup/translate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cgroup/values.hpp"

namespace kiste::cgroup {

namespace {

std::vector<std::string> split_words(std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ') ++j;
        if (j > i) out.emplace_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::string bytes_or_max(int64_t n) {
    return n < 0 ? "max" : std::to_string(n);
}

Translation one(std::string key, std::string value) {
    Translation t;
    t.writes.push_back({std::move(key), std::move(value)});
    return t;
}

Translation none(std::string note) {
    Translation t;
    t.note = std::move(note);
    return t;
}

}  // namespace

uint64_t shares_to_weight(uint64_t shares) {
    shares = std::clamp<uint64_t>(shares, 2, 262144);
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t weight_to_shares(uint64_t weight) {
    weight = std::clamp<uint64_t>(weight, 1, 10000);
    return 2 + ((weight - 1) * 262142) / 9999;
}

uint64_t blkio_to_io_weight(uint64_t w) {
    w = std::clamp<uint64_t>(w, 10, 1000);
    return 1 + ((w - 10) * 9999) / 990;
}

uint64_t io_to_blkio_weight(uint64_t w) {
    w = std::clamp<uint64_t>(w, 1, 10000);
    return 10 + ((w - 1) * 990) / 9999;
}

TranslateContext context_of(const CgroupConfig& cfg, int version) {
    TranslateContext ctx;
    for (const auto& s : cfg.settings) {
        if (s.version != version) continue;
        if (version == 1) {
            if (s.key == "memory.limit_in_bytes") ctx.memory_limit = parse_bytes(s.value);
            if (s.key == "cpu.cfs_quota_us") ctx.cfs_quota = s.value;
            if (s.key == "cpu.cfs_period_us") ctx.cfs_period = s.value;
        } else if (s.key == "memory.max") {
            ctx.memory_limit = s.value == "max" ? std::optional<int64_t>(-1) : parse_bytes(s.value);
        }
    }
    return ctx;
}

Translation v1_to_v2(std::string_view key, std::string_view value, const TranslateContext& ctx) {
    const std::string v(value);
    if (key == "memory.limit_in_bytes") return one("memory.max", bytes_or_max(*parse_bytes(v)));
    if (key == "memory.memsw.limit_in_bytes") {
        int64_t memsw = *parse_bytes(v);
        if (memsw < 0) return one("memory.swap.max", "max");
        if (!ctx.memory_limit || *ctx.memory_limit < 0)
            return none(
                "memory.memsw.limit_in_bytes needs memory.limit_in_bytes to become "
                "memory.swap.max on cgroup v2; set lxc.cgroup2.memory.swap.max instead");
        if (memsw < *ctx.memory_limit)
            return none("memory.memsw.limit_in_bytes is below memory.limit_in_bytes");
        return one("memory.swap.max", std::to_string(memsw - *ctx.memory_limit));
    }
    if (key == "memory.soft_limit_in_bytes")
        return one("memory.low", bytes_or_max(*parse_bytes(v)));
    if (key == "memory.swappiness")
        return none("cgroup v2 has no per-cgroup swappiness; limit swap with memory.swap.max");
    if (key == "memory.oom_control")
        return none(
            "cgroup v2 cannot disable the OOM killer; memory.oom.group kills the whole cgroup "
            "instead");
    if (key.starts_with("memory.kmem."))
        return none("kernel memory is part of memory.max on cgroup v2");
    if (key == "cpu.shares")
        return one("cpu.weight", std::to_string(shares_to_weight(*parse_uint(v))));
    if (key == "cpu.cfs_quota_us") {
        std::string quota = v == "-1" ? "max" : v;
        return one("cpu.max", quota + " " + ctx.cfs_period.value_or("100000"));
    }
    if (key == "cpu.cfs_period_us") {
        if (ctx.cfs_quota) return {};  // written together with the quota
        return one("cpu.max", "max " + v);
    }
    if (key.starts_with("cpu.rt_"))
        return none("cgroup v2 has no real-time bandwidth per cgroup (kernel.sched_rt_runtime_us)");
    if (key == "cpuset.cpus" || key == "cpuset.mems") return one(std::string(key), v);
    if (key == "cpuset.cpu_exclusive")
        return one("cpuset.cpus.partition", v == "1" ? "root" : "member");
    if (key.starts_with("cpuset.")) return none(fmt::format("{} has no cgroup v2 equivalent", key));
    if (key == "pids.max") return one("pids.max", v == "-1" ? "max" : v);
    if (key == "blkio.weight" || key == "blkio.bfq.weight")
        return one("io.weight", "default " + std::to_string(blkio_to_io_weight(*parse_uint(v))));
    if (key == "blkio.weight_device" || key == "blkio.bfq.weight_device") {
        auto w = split_words(v);
        return one("io.weight", w[0] + " " + std::to_string(blkio_to_io_weight(*parse_uint(w[1]))));
    }
    if (key.starts_with("blkio.throttle.")) {
        static const std::pair<std::string_view, std::string_view> kThrottle[] = {
            {"blkio.throttle.read_bps_device", "rbps"},
            {"blkio.throttle.write_bps_device", "wbps"},
            {"blkio.throttle.read_iops_device", "riops"},
            {"blkio.throttle.write_iops_device", "wiops"}};
        for (const auto& [k, io] : kThrottle) {
            if (key != k) continue;
            auto w = split_words(v);
            return one("io.max", fmt::format("{} {}={}", w[0], io, w[1]));
        }
        return none(fmt::format("{} has no cgroup v2 equivalent", key));
    }
    if (key == "freezer.state") return one("cgroup.freeze", v == "FROZEN" ? "1" : "0");
    if (key.starts_with("hugetlb.") && key.ends_with(".limit_in_bytes")) {
        std::string base(key.substr(0, key.size() - std::string_view(".limit_in_bytes").size()));
        return one(base + ".max", bytes_or_max(*parse_bytes(v)));
    }
    if (key == "devices.allow" || key == "devices.deny") {
        Translation t;
        t.device = true;
        return t;
    }
    if (key.starts_with("net_cls.") || key.starts_with("net_prio."))
        return none(
            "cgroup v2 has no net_cls/net_prio; match the container's cgroup with nftables "
            "'socket cgroupv2' or set SO_PRIORITY instead");
    if (key.starts_with("cpuacct."))
        return none("cpuacct files are statistics (cpu.stat on cgroup v2)");
    return none(fmt::format("{} has no known cgroup v2 equivalent", key));
}

Translation v2_to_v1(std::string_view key, std::string_view value, const TranslateContext& ctx) {
    const std::string v(value);
    auto bytes = [](const std::string& s) {
        return s == "max" ? std::string("-1") : std::to_string(*parse_bytes(s));
    };
    if (key == "memory.max") return one("memory.limit_in_bytes", bytes(v));
    if (key == "memory.swap.max") {
        if (v == "max") return one("memory.memsw.limit_in_bytes", "-1");
        if (!ctx.memory_limit || *ctx.memory_limit < 0)
            return none(
                "memory.swap.max needs memory.max to become memory.memsw.limit_in_bytes on "
                "cgroup v1");
        return one("memory.memsw.limit_in_bytes",
                   std::to_string(*ctx.memory_limit + *parse_bytes(v)));
    }
    if (key == "memory.low") return one("memory.soft_limit_in_bytes", bytes(v));
    if (key == "memory.high" || key == "memory.min")
        return none(
            fmt::format("{} has no cgroup v1 equivalent (memory.soft_limit_in_bytes is the "
                        "nearest)",
                        key));
    if (key == "cpu.weight")
        return one("cpu.shares", std::to_string(weight_to_shares(*parse_uint(v))));
    if (key == "cpu.max") {
        auto w = split_words(v);
        Translation t;
        if (w.size() == 2) t.writes.push_back({"cpu.cfs_period_us", w[1]});
        t.writes.push_back({"cpu.cfs_quota_us", w[0] == "max" ? "-1" : w[0]});
        return t;
    }
    if (key == "cpuset.cpus" || key == "cpuset.mems") return one(std::string(key), v);
    if (key == "cpuset.cpus.partition")
        return one("cpuset.cpu_exclusive", v == "member" ? "0" : "1");
    if (key == "pids.max") return one("pids.max", v);
    if (key == "io.weight" || key == "io.bfq.weight") {
        auto w = split_words(v);
        if (w.size() == 1 || w[0] == "default")
            return one("blkio.weight", std::to_string(io_to_blkio_weight(*parse_uint(w.back()))));
        return one("blkio.weight_device",
                   w[0] + " " + std::to_string(io_to_blkio_weight(*parse_uint(w[1]))));
    }
    if (key == "io.max") {
        auto w = split_words(v);
        Translation t;
        for (size_t i = 1; i < w.size(); ++i) {
            auto eq = w[i].find('=');
            std::string k = w[i].substr(0, eq), n = w[i].substr(eq + 1);
            if (n == "max") n = "0";  // v1: 0 removes the limit
            std::string file = k == "rbps"    ? "blkio.throttle.read_bps_device"
                               : k == "wbps"  ? "blkio.throttle.write_bps_device"
                               : k == "riops" ? "blkio.throttle.read_iops_device"
                                              : "blkio.throttle.write_iops_device";
            t.writes.push_back({file, w[0] + " " + n});
        }
        return t;
    }
    if (key == "cgroup.freeze") return one("freezer.state", v == "1" ? "FROZEN" : "THAWED");
    if (key.starts_with("hugetlb.") && key.ends_with(".max") && !key.ends_with(".rsvd.max")) {
        std::string base(key.substr(0, key.size() - 4));
        return one(base + ".limit_in_bytes", bytes(v));
    }
    return none(fmt::format("{} has no known cgroup v1 equivalent", key));
}

}  // namespace kiste::cgroup
