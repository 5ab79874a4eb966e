// A config's cgroup limits as the host's layout gets them:
//   - the raw settings the typed model covers become Resources (resources.hpp),
//     checked by the one table of values (values.hpp; the error names
//     file:line, key, value and the reason), and the Resources for the
//     host's layout are taken from both layouts' keys (a key of the host's
//     own layout wins);
//   - the other raw settings (freezer, cpuset.cpu_exclusive, memory.high,
//     kmem, ...) are checked by the same table and, when written for the
//     other layout, translated (translate.hpp);
//   - the raw writes are ordered so the kernel accepts them: cpuset first,
//     memory before memsw, cfs period before quota, the freezer last;
//     otherwise config order.
// The managers write the Resources through the controller writers
// (v1/controllers.hpp, v2/controllers.hpp), then the raw writes.
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
    Resources resources;  // the typed limits for the host's layout
    std::vector<PlannedWrite> writes;
    // v2 only: v1 device rules for the eBPF device program, in config order.
    std::vector<PlannedDeviceRule> devices;
    // The typed device rules (resources.devices) apply only when the config
    // has no raw device rules; their source for messages.
    std::string devices_source;
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
