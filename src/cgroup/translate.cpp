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

Translation v1_to_v2(std::string_view key, std::string_view value) {
    const std::string v(value);
    if (key.starts_with("memory.kmem."))
        return none("kernel memory is part of memory.max on cgroup v2");
    if (key == "cpuset.cpu_exclusive")
        return one("cpuset.cpus.partition", v == "1" ? "root" : "member");
    if (key.starts_with("cpuset.")) return none(fmt::format("{} has no cgroup v2 equivalent", key));
    if (key == "blkio.bfq.weight")
        return one("io.weight", "default " + std::to_string(blkio_to_io_weight(*parse_uint(v))));
    if (key == "blkio.bfq.weight_device") {
        auto w = split_words(v);
        return one("io.weight", w[0] + " " + std::to_string(blkio_to_io_weight(*parse_uint(w[1]))));
    }
    if (key == "freezer.state") return one("cgroup.freeze", v == "FROZEN" ? "1" : "0");
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

Translation v2_to_v1(std::string_view key, std::string_view value) {
    const std::string v(value);
    if (key == "memory.high" || key == "memory.min")
        return none(
            fmt::format("{} has no cgroup v1 equivalent (memory.soft_limit_in_bytes is the "
                        "nearest)",
                        key));
    if (key == "cpuset.cpus.partition")
        return one("cpuset.cpu_exclusive", v == "member" ? "0" : "1");
    if (key == "io.bfq.weight") {
        auto w = split_words(v);
        if (w.size() == 1 || w[0] == "default")
            return one("blkio.weight", std::to_string(io_to_blkio_weight(*parse_uint(w.back()))));
        return one("blkio.weight_device",
                   w[0] + " " + std::to_string(io_to_blkio_weight(*parse_uint(w[1]))));
    }
    if (key == "cgroup.freeze") return one("freezer.state", v == "1" ? "FROZEN" : "THAWED");
    if (key == "devices.allow" || key == "devices.deny") {
        Translation t;
        t.device = true;
        return t;
    }
    return none(fmt::format("{} has no known cgroup v1 equivalent", key));
}

}  // namespace kiste::cgroup
