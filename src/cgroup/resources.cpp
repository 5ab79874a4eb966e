#include "cgroup/resources.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "cgroup/settings.hpp"
#include "cgroup/values.hpp"

#include "base/words.hpp"

namespace kiste::cgroup {

namespace {

// "8:0" (validated by the table before).
std::pair<int64_t, int64_t> dev_numbers(std::string_view s) {
    const auto colon = s.find(':');
    return {static_cast<int64_t>(*parse_uint(s.substr(0, colon))),
            static_cast<int64_t>(*parse_uint(s.substr(colon + 1)))};
}

// A later line for the same device replaces the earlier one, as a second
// write of the file does.
template <class T>
void put_device(std::vector<T>& list, T item) {
    for (auto& x : list)
        if (x.major == item.major && x.minor == item.minor) {
            x = item;
            return;
        }
    list.push_back(item);
}

void put_hugepage(std::vector<Resources::HugepageLimit>& list, std::string size, int64_t limit) {
    for (auto& x : list)
        if (x.pagesize == size) {
            x.limit = limit;
            return;
        }
    list.push_back({std::move(size), limit});
}

uint64_t u(std::string_view v) {
    return *parse_uint(v);
}

int64_t bytes(std::string_view v) {
    return *parse_bytes(v);
}

std::vector<Resources::Throttle>* throttle_list(Resources& r, std::string_view kind) {
    if (kind == "rbps" || kind == "read_bps") return &r.throttle_read_bps;
    if (kind == "wbps" || kind == "write_bps") return &r.throttle_write_bps;
    if (kind == "riops" || kind == "read_iops") return &r.throttle_read_iops;
    if (kind == "wiops" || kind == "write_iops") return &r.throttle_write_iops;
    return nullptr;
}

// The field a covered key sets; empty when the key stays raw.
std::string absorb_v1(Resources& r, std::string_view key, std::string_view v) {
    if (key == "memory.limit_in_bytes") return r.memory_limit = bytes(v), "memory_limit";
    if (key == "memory.memsw.limit_in_bytes")
        return r.memory_swap_limit = bytes(v), "memory_swap_limit";
    if (key == "memory.soft_limit_in_bytes")
        return r.memory_reservation = bytes(v), "memory_reservation";
    if (key == "memory.swappiness")
        return r.memory_swappiness = static_cast<int64_t>(u(v)), "memory_swappiness";
    if (key == "memory.oom_control") return r.oom_kill_disable = v == "1", "oom_kill_disable";
    if (key == "cpu.shares") return r.cpu_shares = u(v), "cpu_shares";
    if (key == "cpu.cfs_quota_us") return r.cpu_quota = *parse_int(v), "cpu_quota";
    if (key == "cpu.cfs_period_us") return r.cpu_period = u(v), "cpu_period";
    if (key == "cpu.rt_runtime_us") return r.cpu_rt_runtime = *parse_int(v), "cpu_rt_runtime";
    if (key == "cpu.rt_period_us") return r.cpu_rt_period = u(v), "cpu_rt_period";
    if (key == "cpuset.cpus") return r.cpuset_cpus = std::string(v), "cpuset_cpus";
    if (key == "cpuset.mems") return r.cpuset_mems = std::string(v), "cpuset_mems";
    if (key == "pids.max")
        return r.pids_limit = v == "max" || v == "-1" ? -1 : static_cast<int64_t>(u(v)),
               "pids_limit";
    if (key == "blkio.weight") return r.blkio_weight = static_cast<uint16_t>(u(v)), "blkio_weight";
    if (key == "blkio.weight_device") {
        auto w = split_blanks(v);
        auto [maj, min] = dev_numbers(w[0]);
        put_device(r.blkio_weight_device, {maj, min, static_cast<uint16_t>(u(w[1]))});
        return "blkio_weight_device";
    }
    if (key.starts_with("blkio.throttle.") && key.ends_with("_device")) {
        auto kind = key.substr(15, key.size() - 15 - 7);
        auto* list = throttle_list(r, kind);
        if (list == nullptr) return {};
        auto w = split_blanks(v);
        auto [maj, min] = dev_numbers(w[0]);
        put_device(*list, {maj, min, u(w[1])});
        return fmt::format("throttle_{}", kind);
    }
    if (key.starts_with("hugetlb.") && key.ends_with(".limit_in_bytes")) {
        put_hugepage(r.hugepage_limits, std::string(key.substr(8, key.size() - 8 - 15)), bytes(v));
        return "hugepage_limits";
    }
    if (key == "net_cls.classid") {
        uint64_t n = 0;
        std::string_view digits = v;
        int base = 10;
        if (digits.starts_with("0x") || digits.starts_with("0X")) {
            digits.remove_prefix(2);
            base = 16;
        }
        std::from_chars(digits.data(), digits.data() + digits.size(), n, base);
        return r.net_cls_classid = static_cast<uint32_t>(n), "net_cls_classid";
    }
    return {};
}

std::string absorb_v2(Resources& r, std::string_view key, std::string_view v) {
    if (key == "memory.max") return r.memory_limit = bytes(v), "memory_limit";
    if (key == "memory.swap.max") return r.memory_swap = bytes(v), "memory_swap";
    if (key == "memory.low") return r.memory_reservation = bytes(v), "memory_reservation";
    if (key == "cpu.weight") return r.cpu_weight = u(v), "cpu_weight";
    if (key == "cpu.max") {
        auto w = split_blanks(v);
        r.cpu_quota = w[0] == "max" ? -1 : static_cast<int64_t>(u(w[0]));
        if (w.size() == 2) r.cpu_period = u(w[1]);
        return "cpu_quota";
    }
    if (key == "cpuset.cpus") return r.cpuset_cpus = std::string(v), "cpuset_cpus";
    if (key == "cpuset.mems") return r.cpuset_mems = std::string(v), "cpuset_mems";
    if (key == "pids.max")
        return r.pids_limit = v == "max" || v == "-1" ? -1 : static_cast<int64_t>(u(v)),
               "pids_limit";
    if (key == "io.weight") {
        auto w = split_blanks(v);
        if (w.size() == 1 || w[0] == "default")
            return r.io_weight = static_cast<uint16_t>(u(w.back())), "io_weight";
        auto [maj, min] = dev_numbers(w[0]);
        put_device(r.io_weight_device, {maj, min, static_cast<uint16_t>(u(w[1]))});
        return "io_weight_device";
    }
    if (key == "io.max") {
        auto w = split_blanks(v);
        auto [maj, min] = dev_numbers(w[0]);
        std::string field;
        for (size_t i = 1; i < w.size(); ++i) {
            const auto eq = w[i].find('=');
            const auto kind = w[i].substr(0, eq), n = w[i].substr(eq + 1);
            put_device(*throttle_list(r, kind), {maj, min, n == "max" ? 0 : u(n)});
            field =
                fmt::format("throttle_{}_{}", kind[0] == 'r' ? "read" : "write", kind.substr(1));
        }
        return field;
    }
    if (key.starts_with("hugetlb.") && key.ends_with(".max") && !key.ends_with(".rsvd.max")) {
        put_hugepage(r.hugepage_limits, std::string(key.substr(8, key.size() - 8 - 4)), bytes(v));
        return "hugepage_limits";
    }
    return {};
}

template <class T>
bool overlay(std::optional<T>& top, const std::optional<T>& base) {
    if (!base) return false;
    if (top) return true;
    top = base;
    return false;
}
template <class T>
bool overlay(std::vector<T>& top, const std::vector<T>& base) {
    if (base.empty()) return false;
    if (!top.empty()) return true;
    top = base;
    return false;
}
bool overlay(std::string& top, const std::string& base) {
    if (base.empty()) return false;
    if (!top.empty()) return true;
    top = base;
    return false;
}

}  // namespace

Result<bool> absorb_setting(Resources& r, const CgroupSetting& s) {
    KISTE_TRY(validate_value(s.version, s.key, s.value));
    const std::string field =
        s.version == 2 ? absorb_v2(r, s.key, s.value) : absorb_v1(r, s.key, s.value);
    if (field.empty()) return false;
    r.origins[field] = s;
    return true;
}

Result<CgroupConfig> absorb_settings(CgroupConfig cfg) {
    std::vector<CgroupSetting> raw;
    for (auto& s : cfg.settings) {
        Resources& r = s.version == 2 ? cfg.resources_v2 : cfg.resources;
        auto covered = absorb_setting(r, s);
        if (!covered) return fail("{}: invalid value: {}", describe(s), covered.error().root());
        if (!*covered) raw.push_back(std::move(s));
    }
    cfg.settings = std::move(raw);
    return cfg;
}

Resources effective_resources(const CgroupConfig& cfg, int target,
                              std::vector<std::string>* notes) {
    Resources out = target == 2 ? cfg.resources_v2 : cfg.resources;
    const Resources& base = target == 2 ? cfg.resources : cfg.resources_v2;
    auto lost = [&](const char* field) {
        auto b = base.origins.find(field);
        auto t = out.origins.find(field);
        if (notes == nullptr || b == base.origins.end()) return;
        notes->push_back(
            fmt::format("{}: not translated: {} is set", describe(b->second),
                        t == out.origins.end()
                            ? std::string(field)
                            : fmt::format("lxc.cgroup{}.{}", t->second.version == 2 ? "2" : "",
                                          t->second.key)));
    };
    auto take = [&](auto& top, const auto& b, const char* field) {
        if (overlay(top, b))
            lost(field);
        else if (auto o = base.origins.find(field); o != base.origins.end())
            out.origins[field] = o->second;
    };
    take(out.memory_limit, base.memory_limit, "memory_limit");
    take(out.memory_swap_limit, base.memory_swap_limit, "memory_swap_limit");
    take(out.memory_swap, base.memory_swap, "memory_swap");
    take(out.memory_reservation, base.memory_reservation, "memory_reservation");
    take(out.memory_swappiness, base.memory_swappiness, "memory_swappiness");
    take(out.oom_kill_disable, base.oom_kill_disable, "oom_kill_disable");
    take(out.cpu_shares, base.cpu_shares, "cpu_shares");
    take(out.cpu_weight, base.cpu_weight, "cpu_weight");
    take(out.cpu_quota, base.cpu_quota, "cpu_quota");
    take(out.cpu_period, base.cpu_period, "cpu_period");
    take(out.cpu_rt_runtime, base.cpu_rt_runtime, "cpu_rt_runtime");
    take(out.cpu_rt_period, base.cpu_rt_period, "cpu_rt_period");
    take(out.cpuset_cpus, base.cpuset_cpus, "cpuset_cpus");
    take(out.cpuset_mems, base.cpuset_mems, "cpuset_mems");
    take(out.pids_limit, base.pids_limit, "pids_limit");
    take(out.blkio_weight, base.blkio_weight, "blkio_weight");
    take(out.io_weight, base.io_weight, "io_weight");
    take(out.blkio_weight_device, base.blkio_weight_device, "blkio_weight_device");
    take(out.io_weight_device, base.io_weight_device, "io_weight_device");
    take(out.throttle_read_bps, base.throttle_read_bps, "throttle_read_bps");
    take(out.throttle_write_bps, base.throttle_write_bps, "throttle_write_bps");
    take(out.throttle_read_iops, base.throttle_read_iops, "throttle_read_iops");
    take(out.throttle_write_iops, base.throttle_write_iops, "throttle_write_iops");
    take(out.hugepage_limits, base.hugepage_limits, "hugepage_limits");
    take(out.net_cls_classid, base.net_cls_classid, "net_cls_classid");
    take(out.devices, base.devices, "devices");
    // A value given in both forms (shares and weight, memsw and swap) is
    // written in the host's own form: the other is not translated.
    auto both = [&](bool mine, bool other, const char* other_field) {
        if (mine && other) {
            lost(other_field);
            out.origins.erase(other_field);
        }
    };
    if (target == 2) {
        both(out.cpu_weight.has_value(), out.cpu_shares.has_value(), "cpu_shares");
        both(out.memory_swap.has_value(), out.memory_swap_limit.has_value(), "memory_swap_limit");
        both(out.io_weight.has_value(), out.blkio_weight.has_value(), "blkio_weight");
    } else {
        both(out.cpu_shares.has_value(), out.cpu_weight.has_value(), "cpu_weight");
        both(out.memory_swap_limit.has_value(), out.memory_swap.has_value(), "memory_swap");
        both(out.blkio_weight.has_value(), out.io_weight.has_value(), "io_weight");
    }
    return out;
}

namespace {
bool any_limit(const Resources& r) {
    return r.memory_limit || r.memory_swap_limit || r.memory_swap || r.memory_reservation ||
           r.memory_swappiness || r.oom_kill_disable || r.cpu_shares || r.cpu_weight ||
           r.cpu_quota || r.cpu_period || r.cpu_rt_runtime || r.cpu_rt_period ||
           !r.cpuset_cpus.empty() || !r.cpuset_mems.empty() || r.pids_limit || r.blkio_weight ||
           r.io_weight || !r.blkio_weight_device.empty() || !r.io_weight_device.empty() ||
           !r.throttle_read_bps.empty() || !r.throttle_write_bps.empty() ||
           !r.throttle_read_iops.empty() || !r.throttle_write_iops.empty() ||
           !r.hugepage_limits.empty() || r.net_cls_classid || !r.devices.empty();
}
}  // namespace

bool has_limits(const CgroupConfig& cfg) {
    return !cfg.settings.empty() || any_limit(cfg.resources) || any_limit(cfg.resources_v2);
}

std::string source_of(const Resources& r, const std::string& field, const std::string& file,
                      const std::string& value) {
    auto o = r.origins.find(field);
    if (o == r.origins.end()) return fmt::format("{}: {} = {}", kResourcesOrigin, file, value);
    const std::string where = describe(o->second);
    return o->second.key == file ? where : fmt::format("{} (as {})", where, file);
}

std::string origin_text(const Resources& r, const std::string& field) {
    auto o = r.origins.find(field);
    if (o == r.origins.end()) return fmt::format("{}: {}", kResourcesOrigin, field);
    return describe(o->second);
}

std::string limit_text(int64_t n, int version) {
    if (n < 0) return version == 2 ? "max" : "-1";
    return std::to_string(n);
}

std::string device_rule_string(const DeviceRule& d) {
    auto num = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
    if (d.type == 'a' && d.major < 0 && d.minor < 0 && d.access == "rwm") return "a";
    return fmt::format("{} {}:{} {}", d.type, num(d.major), num(d.minor), d.access);
}

}  // namespace kiste::cgroup
