// The raw settings of a config (lxc.cgroup.* and lxc.cgroup2.*) turned into
// an ordered list of file writes for the host's layout:
//   - values of known keys are checked first (the error names file:line, key,
//     value and the reason);
//   - keys written for the other layout are translated (translate.hpp); a key
//     of the host's own layout wins over a translated one for the same file;
//   - the writes are ordered so the kernel accepts them: cpuset.cpus/mems
//     first (v1 tasks cannot join an empty cpuset), memory before memsw, cfs
//     period before quota, the freezer last; otherwise config order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::cgroup {

struct PlannedWrite {
    std::string key;  // the file on the host's layout
    std::string value;
    std::string source;  // "config:12: lxc.cgroup.memory.limit_in_bytes = 512M"
    int rank = 0;
};

struct PlannedDeviceRule {
    bool allow = true;
    std::string rule;  // v1 syntax: "c 1:3 rwm"
    std::string source;
};

struct Plan {
    std::vector<PlannedWrite> writes;
    // v2 only: v1 device rules for the eBPF device program, in config order.
    std::vector<PlannedDeviceRule> devices;
    std::vector<std::string> notes;  // settings without an equivalent
};

// `target` is the layout version the files are written for: 1 (v1 and
// hybrid hosts) or 2. `unified` says that a hybrid host also has a cgroup2
// mount, where v2 core keys (cgroup.max.depth...) go unchanged.
Result<Plan> plan_settings(const CgroupConfig& cfg, int target, bool unified = false);

int write_rank(int version, std::string_view key);

// A planned write whose file this host does not have (ENOENT at open): the
// kernel lacks what the key sets (blkio.weight without CFQ or BFQ, memsw
// without swap accounting, a v2 controller that is not enabled). Such a
// key is reported, named with its source and why, and skipped: it does not
// fail the start: the container runs as well as this host allows.
// `file`: the file tried; `why`: the reason where the caller knows better.
std::string unapplied_note(const std::string& source, const std::string& file,
                           const std::string& why = {});

// "file:line: lxc.cgroup2.memory.max = 1G"
std::string describe(const CgroupConfig::Setting& s);

}  // namespace kiste::cgroup
