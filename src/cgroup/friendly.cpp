#include "cgroup/friendly.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/ranges.h>

#include "cgroup/translate.hpp"
#include "cgroup/values.hpp"

namespace kiste::cgroup {

namespace {

constexpr const char* kOrigin = "kiste set";
constexpr uint64_t kCfsPeriod = 100000;

bool unlimited(std::string_view v) {
    return v == "max" || v == "unlimited" || v == "-1";
}

Result<int64_t> bytes(std::string_view name, std::string_view v) {
    if (unlimited(v)) return -1;
    auto n = parse_bytes(v);
    if (!n || *n < 0) return fail("{}={}: expected a size (512M, 2G) or 'max'", name, v);
    return *n;
}

Result<uint64_t> number_in(std::string_view name, std::string_view v, uint64_t lo, uint64_t hi) {
    auto n = parse_uint(v);
    if (!n || *n < lo || *n > hi) return fail("{}={}: expected a number {}..{}", name, v, lo, hi);
    return *n;
}

// The range of a v2 file in the table of values (values.hpp).
Result<uint64_t> weight_for(std::string_view name, std::string_view v, std::string_view file) {
    const KeyRule* r = find_rule(2, file);
    return number_in(name, v, static_cast<uint64_t>(r->lo), static_cast<uint64_t>(r->hi));
}

}  // namespace

const std::vector<std::string>& friendly_names() {
    static const std::vector<std::string> names = {
        "cpu-weight",   "cpus",          "cpuset", "io-read-bps", "io-read-iops", "io-weight",
        "io-write-bps", "io-write-iops", "memory", "pids",        "swap"};
    return names;
}

Result<std::string> device_numbers_of(const std::string& node) {
    struct stat st {};
    if (::stat(node.c_str(), &st) < 0) return fail_errno("cannot stat device {}", node);
    if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)) return fail("{} is not a device node", node);
    return fmt::format("{}:{}", major(st.st_rdev), minor(st.st_rdev));
}

Result<std::vector<CgroupConfig::Setting>> friendly_to_settings(std::string_view name,
                                                                std::string_view value, int version,
                                                                const FriendlyContext& ctx) {
    std::vector<CgroupConfig::Setting> out;
    auto add = [&](std::string key, std::string v) {
        out.push_back({version, std::move(key), std::move(v), kOrigin});
    };
    const bool v2 = version == 2;
    if (name == "memory") {
        const int64_t n = KISTE_TRY(bytes(name, value));
        add(v2 ? "memory.max" : "memory.limit_in_bytes",
            n < 0 ? (v2 ? "max" : "-1") : std::to_string(n));
    } else if (name == "swap") {
        const int64_t n = KISTE_TRY(bytes(name, value));
        if (v2) {
            add("memory.swap.max", n < 0 ? "max" : std::to_string(n));
        } else if (n < 0) {
            add("memory.memsw.limit_in_bytes", "-1");
        } else {
            // v1 limits memory+swap together.
            if (!ctx.memory_limit || *ctx.memory_limit < 0)
                return fail("swap={}: on cgroup v1 a swap limit needs a memory limit (memory=...)",
                            value);
            add("memory.memsw.limit_in_bytes", std::to_string(*ctx.memory_limit + n));
        }
    } else if (name == "cpus") {
        if (unlimited(value)) {
            if (v2)
                add("cpu.max", "max " + std::to_string(kCfsPeriod));
            else
                add("cpu.cfs_quota_us", "-1");
            return out;
        }
        double cpus = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), cpus);
        if (ec != std::errc() || p != value.data() + value.size() || !(cpus >= 0.01) ||
            cpus > 65536)
            return fail("cpus={}: expected a number of CPUs (0.5, 1.5, 4) or 'max'", value);
        const auto quota = static_cast<uint64_t>(std::llround(cpus * kCfsPeriod));
        if (v2) {
            add("cpu.max", fmt::format("{} {}", quota, kCfsPeriod));
        } else {
            add("cpu.cfs_period_us", std::to_string(kCfsPeriod));
            add("cpu.cfs_quota_us", std::to_string(quota));
        }
    } else if (name == "cpu-weight") {
        const uint64_t w = KISTE_TRY(weight_for(name, value, "cpu.weight"));
        if (v2)
            add("cpu.weight", std::to_string(w));
        else
            add("cpu.shares", std::to_string(weight_to_shares(w)));
    } else if (name == "cpuset") {
        if (!valid_id_list(value, false))
            return fail("cpuset={}: expected a CPU list (0-1,4)", value);
        add("cpuset.cpus", std::string(value));
    } else if (name == "pids") {
        if (unlimited(value)) {
            add("pids.max", "max");
        } else {
            add("pids.max", std::to_string(KISTE_TRY(number_in(name, value, 0, INT32_MAX))));
        }
    } else if (name == "io-weight") {
        const uint64_t w = KISTE_TRY(weight_for(name, value, "io.weight"));
        if (v2)
            add("io.weight", fmt::format("default {}", w));
        else
            add("blkio.weight", std::to_string(io_to_blkio_weight(w)));
    } else if (name.starts_with("io-read-") || name.starts_with("io-write-")) {
        const bool read = name.starts_with("io-read-");
        const std::string_view kind = name.substr(read ? 8 : 9);
        if (kind != "bps" && kind != "iops")
            return fail("unknown setting '{}' (known: {})", name,
                        fmt::join(friendly_names(), ", "));
        const size_t colon = value.rfind(':');
        if (colon == std::string_view::npos || colon == 0)
            return fail("{}={}: expected DEVICE:RATE (/dev/vda:10M or 8:0:10M)", name, value);
        const std::string dev(value.substr(0, colon));
        const std::string_view rate_text = value.substr(colon + 1);
        std::string numbers = dev;
        if (dev.starts_with("/")) {
            auto lookup = ctx.device_numbers ? ctx.device_numbers : &device_numbers_of;
            numbers = KISTE_TRY_CTX(lookup(dev), "{}={}", name, value);
        } else if (!valid_dev_numbers(dev, false)) {
            return fail("{}={}: '{}' is neither a device node nor MAJ:MIN", name, value, dev);
        }
        std::string rate;
        if (unlimited(rate_text)) {
            rate = "max";
        } else {
            auto n = kind == "bps" ? parse_bytes(rate_text) : parse_int(rate_text);
            if (!n || *n <= 0) return fail("{}={}: expected a positive rate or 'max'", name, value);
            rate = std::to_string(*n);
        }
        if (v2) {
            const char* io =
                read ? (kind == "bps" ? "rbps" : "riops") : (kind == "bps" ? "wbps" : "wiops");
            add("io.max", fmt::format("{} {}={}", numbers, io, rate));
        } else {
            // v1 lifts a throttle with 0.
            add(fmt::format("blkio.throttle.{}_{}_device", read ? "read" : "write", kind),
                fmt::format("{} {}", numbers, rate == "max" ? "0" : rate));
        }
    } else {
        return fail("unknown setting '{}' (known: {})", name, fmt::join(friendly_names(), ", "));
    }
    return out;
}

}  // namespace kiste::cgroup
