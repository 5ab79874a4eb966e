// `kiste set` names (memory=512M, cpus=1.5, io-read-bps=/dev/vda:10M...) as
// the cgroup files of a layout: lxc.cgroup.* keys on v1 and hybrid hosts,
// lxc.cgroup2.* on v2. The result goes through apply_settings (live) and into
// the config (persisted), so both see exactly the same keys.
//
//   memory=SIZE       memory.limit_in_bytes           memory.max
//   swap=SIZE         memory.memsw.limit_in_bytes     memory.swap.max
//                     (= memory + swap: needs memory)
//   cpus=N.N          cpu.cfs_period_us + cfs_quota_us  cpu.max "QUOTA 100000"
//   cpu-weight=1..10000  cpu.shares (scaled)          cpu.weight
//   cpuset=LIST       cpuset.cpus                     cpuset.cpus
//   pids=N|max        pids.max                        pids.max
//   io-weight=1..10000  blkio.weight (scaled 10..1000)  io.weight "default N"
//   io-{read,write}-{bps,iops}=DEV:RATE   blkio.throttle.*_device "MAJ:MIN N"
//                                         io.max "MAJ:MIN rbps=N"
// SIZE and RATE take K/M/G suffixes; "max" or "unlimited" lifts a limit. DEV
// is a device node (/dev/vda) or MAJ:MIN.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::cgroup {

struct FriendlyContext {
    // The memory limit the swap limit adds to on v1 (bytes, -1 none): the
    // memory= of the same command, else the container's current one.
    std::optional<int64_t> memory_limit;
    // MAJ:MIN of a device node ("/dev/vda" -> "253:0"); tests stand in.
    Result<std::string> (*device_numbers)(const std::string& node) = nullptr;
};

// The friendly names, sorted (for help and errors).
const std::vector<std::string>& friendly_names();

// One NAME=VALUE as settings of `version` (1 or 2), origin "kiste set".
Result<std::vector<CgroupConfig::Setting>> friendly_to_settings(std::string_view name,
                                                                std::string_view value, int version,
                                                                const FriendlyContext& ctx);

// MAJ:MIN of a block or character device node, by stat(2).
Result<std::string> device_numbers_of(const std::string& node);

}  // namespace kiste::cgroup
