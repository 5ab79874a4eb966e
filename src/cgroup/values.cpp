#include "cgroup/values.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <vector>

#include <fmt/format.h>

#include "base/words.hpp"

namespace kiste::cgroup {

namespace {

bool is_memory_limit_key(std::string_view key) {
    const KeyRule* r = find_rule(2, key);
    return r != nullptr && r->kind == KeyRule::Kind::BytesOrMax;
}

bool in_range(std::string_view v, int64_t lo, int64_t hi) {
    if (lo >= 0) {
        auto n = parse_uint(v);
        return n && *n >= static_cast<uint64_t>(lo) && *n <= static_cast<uint64_t>(hi);
    }
    auto n = parse_int(v);
    return n && *n >= lo && *n <= hi;
}

using K = KeyRule::Kind;
constexpr int64_t kMax = INT64_MAX;

constexpr KeyRule rule(int version, std::string_view key, K kind, int64_t lo = 0, int64_t hi = 0,
                       bool minus_one = false, std::string_view words = {}) {
    return KeyRule{version, key, kind, lo, hi, minus_one, words};
}

// runc's and the kernel's limits; sources: Documentation/admin-guide/cgroup-v1
// and cgroup-v2.rst, kernel/sched/core.c (shares, cfs), mm/memcontrol.c.
constexpr std::array kRules = {
    // ---- v1
    rule(1, "memory.limit_in_bytes", K::Bytes),
    rule(1, "memory.memsw.limit_in_bytes", K::Bytes),
    rule(1, "memory.soft_limit_in_bytes", K::Bytes),
    rule(1, "memory.kmem.limit_in_bytes", K::Bytes),
    rule(1, "memory.kmem.tcp.limit_in_bytes", K::Bytes),
    rule(1, "hugetlb.*.limit_in_bytes", K::Bytes),
    rule(1, "memory.swappiness", K::Integer, 0, 100),
    rule(1, "memory.oom_control", K::Bool01),
    rule(1, "cpu.shares", K::Integer, 2, 262144),
    rule(1, "cpu.cfs_quota_us", K::Integer, 1000, kMax, true),
    rule(1, "cpu.cfs_period_us", K::Integer, 1000, 1000000),
    rule(1, "cpu.rt_runtime_us", K::Integer, 0, kMax, true),
    rule(1, "cpu.rt_period_us", K::Integer, 1, UINT32_MAX),
    rule(1, "cpuset.cpus", K::IdList),
    rule(1, "cpuset.mems", K::IdList),
    rule(1, "cpuset.cpu_exclusive", K::Bool01),
    rule(1, "cpuset.mem_exclusive", K::Bool01),
    rule(1, "cpuset.mem_hardwall", K::Bool01),
    rule(1, "cpuset.memory_migrate", K::Bool01),
    rule(1, "cpuset.sched_load_balance", K::Bool01),
    rule(1, "pids.max", K::CountOrMax, 0, kMax),
    rule(1, "blkio.weight", K::Integer, 10, 1000),
    rule(1, "blkio.bfq.weight", K::Integer, 10, 1000),
    rule(1, "blkio.weight_device", K::DevWeight, 10, 1000),
    rule(1, "blkio.bfq.weight_device", K::DevWeight, 10, 1000),
    rule(1, "blkio.throttle.read_bps_device", K::DevRate),
    rule(1, "blkio.throttle.write_bps_device", K::DevRate),
    rule(1, "blkio.throttle.read_iops_device", K::DevRate),
    rule(1, "blkio.throttle.write_iops_device", K::DevRate),
    rule(1, "devices.allow", K::DeviceRule),
    rule(1, "devices.deny", K::DeviceRule),
    rule(1, "freezer.state", K::Words, 0, 0, false, "FROZEN THAWED"),
    rule(1, "net_cls.classid", K::ClassId),
    // ---- v2
    rule(2, "memory.max", K::BytesOrMax),
    rule(2, "memory.high", K::BytesOrMax),
    rule(2, "memory.low", K::BytesOrMax),
    rule(2, "memory.min", K::BytesOrMax),
    rule(2, "memory.swap.max", K::BytesOrMax),
    rule(2, "memory.swap.high", K::BytesOrMax),
    rule(2, "memory.zswap.max", K::BytesOrMax),
    rule(2, "hugetlb.*.max", K::BytesOrMax),
    rule(2, "hugetlb.*.rsvd.max", K::BytesOrMax),
    rule(2, "cpu.max", K::CpuMax, 1000, 1000000),
    rule(2, "cpu.weight", K::Integer, 1, 10000),
    rule(2, "cpu.weight.nice", K::Integer, -20, 19),
    rule(2, "cpuset.cpus", K::IdList),
    rule(2, "cpuset.mems", K::IdList),
    rule(2, "cpuset.cpus.partition", K::Words, 0, 0, false, "member root isolated"),
    rule(2, "pids.max", K::CountOrMax, 0, kMax),
    rule(2, "io.weight", K::IoWeight, 1, 10000),
    rule(2, "io.bfq.weight", K::IoWeight, 1, 10000),
    rule(2, "io.max", K::IoMax),
    rule(2, "devices.allow", K::DeviceRule),
    rule(2, "devices.deny", K::DeviceRule),
    rule(2, "cgroup.freeze", K::Bool01),
    rule(2, "cgroup.kill", K::Bool01),
    rule(2, "memory.oom.group", K::Bool01),
};

bool key_matches(std::string_view pattern, std::string_view key) {
    const auto star = pattern.find('*');
    if (star == std::string_view::npos) return pattern == key;
    const auto head = pattern.substr(0, star), tail = pattern.substr(star + 1);
    return key.size() > head.size() + tail.size() && key.starts_with(head) && key.ends_with(tail) &&
           key.substr(head.size(), key.size() - head.size() - tail.size()).find('.') ==
               std::string_view::npos;
}

bool valid_class_id(std::string_view v) {
    uint64_t n = 0;
    int base = 10;
    if (v.starts_with("0x") || v.starts_with("0X")) {
        v.remove_prefix(2);
        base = 16;
    }
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n, base);
    return !v.empty() && ec == std::errc() && p == v.data() + v.size() && n <= 0xFFFFFFFFu;
}

bool valid(const KeyRule& r, std::string_view v) {
    switch (r.kind) {
        case K::Bytes: {
            auto n = parse_bytes(v, {.unlimited = false});
            return v == "-1" || n.has_value();
        }
        case K::BytesOrMax: return parse_bytes(v).has_value();
        case K::Integer: return (r.minus_one && v == "-1") || in_range(v, r.lo, r.hi);
        case K::CountOrMax: return v == "max" || v == "-1" || in_range(v, r.lo, r.hi);
        case K::Bool01: return v == "0" || v == "1";
        case K::IdList: return valid_id_list(v, r.version == 2);
        case K::DevWeight: {
            auto w = split_blanks(v);
            return w.size() == 2 && valid_dev_numbers(w[0], false) && in_range(w[1], r.lo, r.hi);
        }
        case K::DevRate: {
            auto w = split_blanks(v);
            return w.size() == 2 && valid_dev_numbers(w[0], false) && parse_uint(w[1]);
        }
        case K::DeviceRule: return valid_device_rule(v);
        case K::Words: {
            auto allowed = split_blanks(r.words);
            return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
        }
        case K::ClassId: return valid_class_id(v);
        case K::CpuMax: {
            auto w = split_blanks(v);
            return !w.empty() && w.size() <= 2 && (w[0] == "max" || in_range(w[0], r.lo, kMax)) &&
                   (w.size() == 1 || in_range(w[1], r.lo, r.hi));
        }
        case K::IoWeight: {
            auto w = split_blanks(v);
            return (w.size() == 1 && in_range(w[0], r.lo, r.hi)) ||
                   (w.size() == 2 && (w[0] == "default" || valid_dev_numbers(w[0], false)) &&
                    in_range(w[1], r.lo, r.hi));
        }
        case K::IoMax: {
            auto w = split_blanks(v);
            bool ok = w.size() >= 2 && valid_dev_numbers(w[0], false);
            for (size_t i = 1; ok && i < w.size(); ++i) {
                auto eq = w[i].find('=');
                auto k = w[i].substr(0, eq);
                ok = eq != std::string_view::npos &&
                     (k == "rbps" || k == "wbps" || k == "riops" || k == "wiops") &&
                     (w[i].substr(eq + 1) == "max" || parse_uint(w[i].substr(eq + 1)));
            }
            return ok;
        }
    }
    return false;
}

std::string expectation(const KeyRule& r) {
    switch (r.kind) {
        case K::Bytes: return "a byte count (suffixes K, M, G, T) or -1";
        case K::BytesOrMax: return "'max' or a byte count (suffixes K, M, G, T)";
        case K::Integer:
            if (r.minus_one) return fmt::format("-1 or an integer {}..{}", r.lo, r.hi);
            return fmt::format("an integer {}..{}", r.lo, r.hi);
        case K::CountOrMax: return "a number or 'max'";
        case K::Bool01: return "0 or 1";
        case K::IdList: return "a list like 0-3,6";
        case K::DevWeight: return fmt::format("'MAJ:MIN WEIGHT' with a weight {}..{}", r.lo, r.hi);
        case K::DevRate: return "'MAJ:MIN RATE'";
        case K::DeviceRule:
            return "a device rule: 'a' or 'c|b|a MAJ:MIN rwm' (MAJ, MIN may be '*')";
        case K::Words: return fmt::format("one of: {}", r.words);
        case K::ClassId: return "a 32-bit class id (decimal or 0xMMMMmmmm)";
        case K::CpuMax:
            return fmt::format(
                "'QUOTA [PERIOD]' in microseconds (QUOTA 'max' or >= {}, PERIOD "
                "{}..{})",
                r.lo, r.lo, r.hi);
        case K::IoWeight:
            return fmt::format("'[default|MAJ:MIN] WEIGHT' with a weight {}..{}", r.lo, r.hi);
        case K::IoMax: return "'MAJ:MIN rbps=N wbps=N riops=N wiops=N' (N or 'max')";
    }
    return {};
}

}  // namespace

std::span<const KeyRule> key_rules() {
    return kRules;
}

const KeyRule* find_rule(int version, std::string_view key) {
    for (const auto& r : kRules)
        if (r.version == version && key_matches(r.key, key)) return &r;
    return nullptr;
}

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

std::optional<int64_t> parse_bytes(std::string_view s, ByteSyntax syntax) {
    if (syntax.unlimited && (s == "-1" || s == "max")) return -1;
    if (syntax.b_suffix && s.size() > 1 && (s.back() == 'b' || s.back() == 'B')) {
        s.remove_suffix(1);
        // "100b": bytes; "4kb": the suffix before the b counts
    }
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
    auto w = split_blanks(s);
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
    const KeyRule* r = find_rule(version, key);
    if (r == nullptr || valid(*r, value)) return {};
    return fail("expected {}", expectation(*r));
}

std::string normalize_value(int version, std::string_view key, std::string_view value) {
    if (value == "-1" && (key == "pids.max" || (version == 2 && is_memory_limit_key(key))))
        return "max";
    return std::string(value);
}

}  // namespace kiste::cgroup
