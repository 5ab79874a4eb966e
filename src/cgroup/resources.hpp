// Raw cgroup settings whose meaning the typed model covers, parsed once into
// Resources; and the Resources a host of one layout gets from a config that
// may carry limits of both layouts.
//
//   v1 key (-> resources)              v2 key (-> resources_v2)   field
//   memory.limit_in_bytes              memory.max                 memory_limit
//   memory.memsw.limit_in_bytes        -                          memory_swap_limit
//   -                                  memory.swap.max            memory_swap
//   memory.soft_limit_in_bytes         memory.low                 memory_reservation
//   memory.swappiness, oom_control     -                          memory_swappiness,
//   oom_kill_disable cpu.shares                         -                          cpu_shares
//   -                                  cpu.weight                 cpu_weight
//   cpu.cfs_quota_us, cfs_period_us    cpu.max                    cpu_quota, cpu_period
//   cpu.rt_runtime_us, rt_period_us    -                          cpu_rt_runtime, cpu_rt_period
//   cpuset.cpus, cpuset.mems           same                       cpuset_cpus, cpuset_mems
//   pids.max                           pids.max                   pids_limit
//   blkio.weight                       io.weight [default] W      blkio_weight / io_weight
//   blkio.weight_device                io.weight MAJ:MIN W        blkio_ / io_weight_device
//   blkio.throttle.*_device            io.max                     throttle_*
//   hugetlb.SIZE.limit_in_bytes        hugetlb.SIZE.max           hugepage_limits
//   net_cls.classid                    -                          net_cls_classid
// Everything else (devices.*, freezer, cpuset.cpu_exclusive, memory.high,
// ...) stays a raw setting (settings.hpp).
#pragma once

#include <string>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::cgroup {

inline constexpr const char* kResourcesOrigin = "spec.cgroup.resources";

// Parses `s` into `r` when the typed model covers its key: true. False for
// a key that stays raw (its value is still checked against the table). A
// value the table refuses is an error with the bare reason.
Result<bool> absorb_setting(Resources& r, const CgroupSetting& s);

// cfg with every covered raw setting moved into resources (v1 keys) or
// resources_v2 (v2 keys); the errors name the setting (describe()).
Result<CgroupConfig> absorb_settings(CgroupConfig cfg);

// The limits for a host whose files are of layout `target` (1 or 2): the
// Resources written for that layout win field by field over the other's.
// A value of the other layout that loses gets a note.
Resources effective_resources(const CgroupConfig& cfg, int target,
                              std::vector<std::string>* notes = nullptr);

// True when the config asks for any limit or setting (typed or raw).
bool has_limits(const CgroupConfig& cfg);

// Where a value came from, for messages, when written to `file`:
// "config:3: lxc.cgroup.cpu.shares = 512 (as cpu.weight)", or for values of
// a structured spec "spec.cgroup.resources: cpu.weight = 20".
std::string source_of(const Resources& r, const std::string& field, const std::string& file,
                      const std::string& value);

// The line that set a field ("config:3: lxc.cgroup.cpu.rt_period_us = 1000"),
// or "spec.cgroup.resources: FIELD" for a structured spec's value.
std::string origin_text(const Resources& r, const std::string& field);

// A limit as the files take it: n, or -1 ("-1" on v1, "max" on v2).
std::string limit_text(int64_t n, int version);

// "c 1:3 rwm" for a rule ('*' for a wildcard number): devices.allow syntax.
std::string device_rule_string(const DeviceRule& d);

}  // namespace kiste::cgroup
