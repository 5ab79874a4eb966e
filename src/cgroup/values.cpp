#include "cgroup/values.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <vector>

namespace kiste::cgroup {

namespace {

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

bool is_memory_limit_key(std::string_view key) {
    return key == "memory.max" || key == "memory.high" || key == "memory.low" ||
           key == "memory.min" || key == "memory.swap.max" || key == "memory.swap.high" ||
           key == "memory.zswap.max" ||
           (key.starts_with("hugetlb.") && (key.ends_with(".max") || key.ends_with(".rsvd.max")));
}

bool in_range(std::string_view v, uint64_t lo, uint64_t hi) {
    auto n = parse_uint(v);
    return n && *n >= lo && *n <= hi;
}

bool is_bool01(std::string_view v) {
    return v == "0" || v == "1";
}

Status bad(std::string_view what) {
    return fail("expected {}", what);
}

Status validate_v1(std::string_view key, std::string_view v) {
    if (key == "memory.limit_in_bytes" || key == "memory.memsw.limit_in_bytes" ||
        key == "memory.soft_limit_in_bytes" || key == "memory.kmem.limit_in_bytes" ||
        key == "memory.kmem.tcp.limit_in_bytes" ||
        (key.starts_with("hugetlb.") && key.ends_with(".limit_in_bytes"))) {
        if (!parse_bytes(v)) return bad("a byte count (suffixes K, M, G, T) or -1");
        return {};
    }
    if (key == "memory.swappiness" && !in_range(v, 0, 100)) return bad("an integer 0..100");
    if (key == "memory.oom_control" && !is_bool01(v))
        return bad("0 or 1 (1 disables the OOM killer)");
    if (key == "cpu.shares" && !in_range(v, 2, 262144)) return bad("an integer 2..262144");
    if (key == "cpu.cfs_quota_us") {
        auto n = parse_int(v);
        if (!n || (*n != -1 && *n < 1000)) return bad("-1 or at least 1000 (microseconds)");
    }
    if (key == "cpu.cfs_period_us" && !in_range(v, 1000, 1000000))
        return bad("1000..1000000 (microseconds)");
    if (key == "cpu.rt_runtime_us") {
        auto n = parse_int(v);
        if (!n || *n < -1) return bad("-1 or a number of microseconds");
    }
    if (key == "cpu.rt_period_us" && !in_range(v, 1, UINT32_MAX)) return bad("microseconds >= 1");
    if ((key == "cpuset.cpus" || key == "cpuset.mems") && !valid_id_list(v, false))
        return bad("a list like 0-3,6");
    if ((key == "cpuset.cpu_exclusive" || key == "cpuset.mem_exclusive" ||
         key == "cpuset.mem_hardwall" || key == "cpuset.memory_migrate" ||
         key == "cpuset.sched_load_balance") &&
        !is_bool01(v))
        return bad("0 or 1");
    if (key == "pids.max" && v != "max" && v != "-1" && !parse_uint(v))
        return bad("a number or 'max'");
    if ((key == "blkio.weight" || key == "blkio.bfq.weight") && !in_range(v, 10, 1000))
        return bad("an integer 10..1000");
    if (key == "blkio.weight_device" || key == "blkio.bfq.weight_device") {
        auto w = words(v);
        if (w.size() != 2 || !valid_dev_numbers(w[0], false) || !in_range(w[1], 10, 1000))
            return bad("'MAJ:MIN WEIGHT' with a weight 10..1000");
    }
    if (key.starts_with("blkio.throttle.") && key.ends_with("_device")) {
        auto w = words(v);
        if (w.size() != 2 || !valid_dev_numbers(w[0], false) || !parse_uint(w[1]))
            return bad("'MAJ:MIN RATE'");
    }
    if ((key == "devices.allow" || key == "devices.deny") && !valid_device_rule(v))
        return bad("a device rule: 'a' or 'c|b|a MAJ:MIN rwm' (MAJ, MIN may be '*')");
    if (key == "freezer.state" && v != "FROZEN" && v != "THAWED") return bad("FROZEN or THAWED");
    if (key == "net_cls.classid") {
        uint64_t n = 0;
        std::string_view digits = v;
        int base = 10;
        if (digits.starts_with("0x") || digits.starts_with("0X")) {
            digits.remove_prefix(2);
            base = 16;
        }
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n, base);
        if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() ||
            n > 0xFFFFFFFFu)
            return bad("a 32-bit class id (decimal or 0xMMMMmmmm)");
    }
    return {};
}

Status validate_v2(std::string_view key, std::string_view v) {
    if (is_memory_limit_key(key)) {
        if (v != "max" && (!parse_bytes(v) || (*parse_bytes(v) < 0 && v != "-1")))
            return bad("'max' or a byte count (suffixes K, M, G, T)");
        return {};
    }
    if (key == "cpu.max") {
        auto w = words(v);
        if (w.empty() || w.size() > 2 || (w[0] != "max" && !in_range(w[0], 1000, INT64_MAX)) ||
            (w.size() == 2 && !in_range(w[1], 1000, 1000000)))
            return bad("'QUOTA [PERIOD]' in microseconds (QUOTA 'max' or >= 1000)");
    }
    if (key == "cpu.weight" && !in_range(v, 1, 10000)) return bad("an integer 1..10000");
    if (key == "cpu.weight.nice") {
        auto n = parse_int(v);
        if (!n || *n < -20 || *n > 19) return bad("a nice value -20..19");
    }
    if ((key == "cpuset.cpus" || key == "cpuset.mems") && !valid_id_list(v, true))
        return bad("a list like 0-3,6");
    if (key == "cpuset.cpus.partition" && v != "member" && v != "root" && v != "isolated")
        return bad("member, root or isolated");
    if (key == "pids.max" && v != "max" && v != "-1" && !parse_uint(v))
        return bad("a number or 'max'");
    if (key == "io.weight" || key == "io.bfq.weight") {
        auto w = words(v);
        bool ok = (w.size() == 1 && in_range(w[0], 1, 10000)) ||
                  (w.size() == 2 && (w[0] == "default" || valid_dev_numbers(w[0], false)) &&
                   in_range(w[1], 1, 10000));
        if (!ok) return bad("'[default|MAJ:MIN] WEIGHT' with a weight 1..10000");
    }
    if (key == "io.max") {
        auto w = words(v);
        bool ok = w.size() >= 2 && valid_dev_numbers(w[0], false);
        for (size_t i = 1; ok && i < w.size(); ++i) {
            auto eq = w[i].find('=');
            auto k = w[i].substr(0, eq);
            ok = eq != std::string_view::npos &&
                 (k == "rbps" || k == "wbps" || k == "riops" || k == "wiops") &&
                 (w[i].substr(eq + 1) == "max" || parse_uint(w[i].substr(eq + 1)));
        }
        if (!ok) return bad("'MAJ:MIN rbps=N wbps=N riops=N wiops=N' (N or 'max')");
    }
    if ((key == "cgroup.freeze" || key == "memory.oom.group" || key == "cgroup.kill") &&
        !is_bool01(v))
        return bad("0 or 1");
    return {};
}

}  // namespace

std::optional<uint64_t> parse_uint(std::string_view s) {
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return n;
}

std::optional<int64_t> parse_int(std::string_view s) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return n;
}

std::optional<int64_t> parse_bytes(std::string_view s) {
    if (s == "-1") return -1;
    if (s.empty()) return std::nullopt;
    int shift = 0;
    switch (s.back()) {
        case 'k':
        case 'K': shift = 10; break;
        case 'm':
        case 'M': shift = 20; break;
        case 'g':
        case 'G': shift = 30; break;
        case 't':
        case 'T': shift = 40; break;
        case 'p':
        case 'P': shift = 50; break;
        case 'e':
        case 'E': shift = 60; break;
        default: break;
    }
    if (shift != 0) s.remove_suffix(1);
    auto n = parse_uint(s);
    if (!n || (shift != 0 && *n > (static_cast<uint64_t>(INT64_MAX) >> shift)) ||
        *n > static_cast<uint64_t>(INT64_MAX))
        return std::nullopt;
    return static_cast<int64_t>(*n << shift);
}

bool valid_id_list(std::string_view s, bool allow_empty) {
    if (s.empty()) return allow_empty;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(',', start);
        if (end == std::string_view::npos) end = s.size();
        auto item = s.substr(start, end - start);
        auto dash = item.find('-');
        if (dash == std::string_view::npos) {
            if (!parse_uint(item)) return false;
        } else {
            auto a = parse_uint(item.substr(0, dash)), b = parse_uint(item.substr(dash + 1));
            if (!a || !b || *a > *b) return false;
        }
        start = end + 1;
    }
    return true;
}

bool valid_dev_numbers(std::string_view s, bool wildcards) {
    auto colon = s.find(':');
    if (colon == std::string_view::npos) return false;
    auto ok = [wildcards](std::string_view n) {
        return (wildcards && n == "*") || parse_uint(n).has_value();
    };
    return ok(s.substr(0, colon)) && ok(s.substr(colon + 1));
}

bool valid_device_rule(std::string_view s) {
    auto w = words(s);
    if (w.size() == 1) return w[0] == "a";
    if (w.size() != 3 || w[0].size() != 1 ||
        std::string_view("abc").find(w[0][0]) == std::string_view::npos)
        return false;
    if (!valid_dev_numbers(w[1], true)) return false;
    return !w[2].empty() && w[2].size() <= 3 && std::all_of(w[2].begin(), w[2].end(), [](char c) {
        return c == 'r' || c == 'w' || c == 'm';
    });
}

Status validate_value(int version, std::string_view key, std::string_view value) {
    return version == 2 ? validate_v2(key, value) : validate_v1(key, value);
}

std::string normalize_value(int version, std::string_view key, std::string_view value) {
    if (value == "-1" && (key == "pids.max" || (version == 2 && is_memory_limit_key(key))))
        return "max";
    return std::string(value);
}

}  // namespace kiste::cgroup
