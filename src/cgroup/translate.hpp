// The v1 <-> v2 translation table: a key written for one layout becomes the
// file(s) of the other, as runc and crun convert (weights scaled between
// ranges, memsw turned into swap alone, cfs quota and period into cpu.max).
// Keys without an equivalent give a note that says what to use instead.
//
//   v1                                 v2
//   memory.limit_in_bytes              memory.max
//   memory.memsw.limit_in_bytes        memory.swap.max (memsw - memory limit)
//   memory.soft_limit_in_bytes         memory.low
//   memory.swappiness, oom_control     -            (note)
//   cpu.shares  2..262144              cpu.weight 1..10000
//   cpu.cfs_quota_us + cfs_period_us   cpu.max "QUOTA PERIOD"
//   cpu.rt_*                           -            (note)
//   cpuset.cpus, cpuset.mems           same
//   cpuset.cpu_exclusive               cpuset.cpus.partition root|member
//   pids.max                           pids.max
//   blkio.weight 10..1000              io.weight "default 1..10000"
//   blkio.weight_device                io.weight "MAJ:MIN W"
//   blkio.throttle.{read,write}_{bps,iops}_device  io.max "MAJ:MIN rbps|wbps|riops|wiops=N"
//   freezer.state                      cgroup.freeze
//   hugetlb.SIZE.limit_in_bytes        hugetlb.SIZE.max
//   devices.allow / devices.deny       the eBPF device program (Translation::device)
//   net_cls.*, net_prio.*              -            (note: nftables socket cgroupv2 match)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiste/spec.hpp"

namespace kiste::cgroup {

struct KeyValue {
    std::string key;
    std::string value;
};

struct Translation {
    std::vector<KeyValue> writes;
    bool device = false;  // a device rule: goes to the device filter, not a file
    std::string note;     // why (part of) the setting has no equivalent
};

// What other settings of the same config say, for keys whose translation
// depends on them (memsw needs the memory limit; quota and period combine).
struct TranslateContext {
    std::optional<int64_t> memory_limit;  // bytes, -1 unlimited
    std::optional<std::string> cfs_quota;
    std::optional<std::string> cfs_period;
};
// From the settings of `version` in cfg.
TranslateContext context_of(const CgroupConfig& cfg, int version);

// The value must be valid for the source layout (validate_value first).
Translation v1_to_v2(std::string_view key, std::string_view value, const TranslateContext& ctx);
Translation v2_to_v1(std::string_view key, std::string_view value, const TranslateContext& ctx);

// The weight scales (runc's conversions).
uint64_t shares_to_weight(uint64_t shares);
uint64_t weight_to_shares(uint64_t weight);
uint64_t blkio_to_io_weight(uint64_t w);
uint64_t io_to_blkio_weight(uint64_t w);

}  // namespace kiste::cgroup
