// cgroup v1 controllers, one file each; every function works on an open
// cgroup directory, so unit tests run them against a temp dir.
#pragma once

#include <cstdint>
#include <string>

#include "cgroup/fs.hpp"
#include "cgroup/writer.hpp"
#include "kiste/spec.hpp"

namespace kiste::cgroup::v1 {

// Each controller's apply() writes the files of its hierarchy's cgroup from
// typed limits: only the fields that are set, in the order the kernel takes
// them; a value with only a v2 form (cpu_weight, memory_swap, io_weight) is
// converted, one without a v1 file is a note.

namespace cpuset {
// A new v1 cpuset starts with empty cpus and mems, and no task can join it:
// copy the parent's (LXC and runc do the same; cgroup.clone_children would
// change the parent, which kiste does not own).
Status inherit(const Dir& parent, const Dir& child);
// inherit() for every component of `rel` below `base`, top down; components
// that already have cpus and mems are left alone. Run on existing components
// too: a concurrent start may have made kiste.payload and not filled it yet.
Status inherit_down(const std::string& base, const std::string& rel);
Status apply(FileWriter& w, const Resources& r);  // cpus before mems
}  // namespace cpuset

namespace freezer {
// Writes FROZEN and waits (up to timeout_ms) until freezer.state says FROZEN;
// thaws again and fails when it does not get there.
Status freeze(const Dir& d, int timeout_ms = 5000);
Status thaw(const Dir& d);
Result<bool> frozen(const Dir& d);  // FREEZING counts as not frozen
}  // namespace freezer

namespace memory {
struct Stats {
    uint64_t usage = 0;
    uint64_t limit = 0;  // 0: none
    uint64_t oom_kills = 0;
    uint64_t swap = 0;     // memsw usage minus memory usage (with swap accounting)
    uint64_t failcnt = 0;  // times the limit was hit
};
Result<Stats> stats(const Dir& d);
// v1's "unlimited": PAGE_COUNTER_MAX pages, rounded; anything this large is no limit.
bool is_unlimited(uint64_t bytes);
// memory.limit_in_bytes before memsw (retried the other way round when
// raising both), soft limit, swappiness, oom_control.
Status apply(FileWriter& w, const Resources& r);
}  // namespace memory

namespace cpu {
Status apply(FileWriter& w, const Resources& r);  // shares, cfs period then quota, rt
}  // namespace cpu

namespace cpuacct {
Result<uint64_t> usage_ns(const Dir& d);
}  // namespace cpuacct

namespace pids {
Result<uint64_t> current(const Dir& d);
Status apply(FileWriter& w, const Resources& r);
}  // namespace pids

namespace blkio {
// The file a blkio key goes to: without CFQ (kernel >= 5.0) blkio.weight and
// blkio.weight_device exist only as blkio.bfq.weight[_device], as runc maps them.
std::string file_for(const Dir& d, const std::string& key);
// Bytes read and written (blkio.throttle.io_service_bytes_recursive, which
// counts on every kernel, unlike the CFQ-only blkio.io_service_bytes).
struct Io {
    uint64_t read = 0, write = 0;
};
Io io_bytes(const Dir& d);
Status apply(FileWriter& w, const Resources& r);  // weights, then throttles
}  // namespace blkio

namespace hugetlb {
Status apply(FileWriter& w, const Resources& r);
}  // namespace hugetlb

namespace net_cls {
Status apply(FileWriter& w, const Resources& r);
}  // namespace net_cls

namespace devices {
// devices.deny / devices.allow, one rule per write, in order.
Status apply(FileWriter& w, const std::vector<DeviceRule>& rules, const std::string& source);
}  // namespace devices

}  // namespace kiste::cgroup::v1
