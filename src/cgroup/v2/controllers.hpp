// cgroup v2 files, one file per controller; every function works on an open
// cgroup directory, so unit tests run them against a temp dir.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cgroup/fs.hpp"
#include "cgroup/writer.hpp"
#include "kiste/spec.hpp"

namespace kiste::cgroup::v2 {

// Each controller's apply() writes its files of the container's cgroup from
// typed limits, as youki's libcgroups v2 does: only the fields that are
// set; a value with only a v1 form (cpu_shares, memsw, blkio weights) is
// converted as runc converts it, one without a v2 file is a note.

namespace core {
std::vector<std::string> controllers(const Dir& d);      // cgroup.controllers
std::vector<std::string> subtree_control(const Dir& d);  // cgroup.subtree_control
// Enables each of `want` that d offers and has not enabled yet, one at a
// time (one refused controller does not stop the others); the refusals are
// returned as messages.
std::vector<std::string> enable(const Dir& d, const std::vector<std::string>& want);
// cgroup.kill (5.14+): false when the kernel has no such file.
Result<bool> kill(const Dir& d);
Result<bool> populated(const Dir& d);  // cgroup.events
}  // namespace core

namespace freezer {
// cgroup.freeze = 1, then waits for "frozen 1" in cgroup.events.
Status freeze(const Dir& d, int timeout_ms = 5000);
Status thaw(const Dir& d);
Result<bool> frozen(const Dir& d);
}  // namespace freezer

namespace memory {
struct Stats {
    uint64_t usage = 0;
    uint64_t limit = 0;  // 0: none ("max")
    uint64_t oom_kills = 0;
    uint64_t swap = 0;      // memory.swap.current
    uint64_t max_hits = 0;  // memory.events max
};
Result<Stats> stats(const Dir& d);
Status apply(FileWriter& w, const Resources& r);  // low, max, swap.max
}  // namespace memory

namespace cpuset {
Status apply(FileWriter& w, const Resources& r);
}  // namespace cpuset

namespace hugetlb {
Status apply(FileWriter& w, const Resources& r);
}  // namespace hugetlb

namespace net_cls {
// cgroup v2 has no net_cls: a note for a class id.
Status apply(FileWriter& w, const Resources& r);
}  // namespace net_cls

namespace io {
struct Io {
    uint64_t read = 0, write = 0;
};
Io bytes(const Dir& d);                           // io.stat rbytes/wbytes summed over devices
Status apply(FileWriter& w, const Resources& r);  // io.weight, then io.max
}  // namespace io

namespace cpu {
Result<uint64_t> usage_ns(const Dir& d);          // cpu.stat usage_usec, in ns
Status apply(FileWriter& w, const Resources& r);  // cpu.weight, cpu.max
}  // namespace cpu

namespace pids {
Result<uint64_t> current(const Dir& d);
// pids.max (0: "max") and pids.events "max": the same files on v1.
uint64_t limit(const Dir& d);
uint64_t limit_hits(const Dir& d);
Status apply(FileWriter& w, const Resources& r);
}  // namespace pids

}  // namespace kiste::cgroup::v2
