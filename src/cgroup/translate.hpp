// The v1 <-> v2 translation of the raw settings the typed model does not
// cover (resources.hpp translates the typed values): a key written for one
// layout becomes the file(s) of the other where one exists; keys without an
// equivalent give a note that says what to use instead. And the weight
// scales between the layouts (runc's conversions).
//
//   v1                                 v2
//   cpuset.cpu_exclusive               cpuset.cpus.partition root|member
//   blkio.bfq.weight[_device]          io.weight (scaled)
//   freezer.state                      cgroup.freeze
//   devices.allow / devices.deny       the eBPF device program (Translation::device)
//   memory.kmem.*, other cpuset.*,     -            (note)
//   net_prio.*, cpuacct.*
//   -                                  memory.high, memory.min (note)
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

// The value must be valid for the source layout (validate_value first).
Translation v1_to_v2(std::string_view key, std::string_view value);
Translation v2_to_v1(std::string_view key, std::string_view value);

// The weight scales (runc's conversions).
uint64_t shares_to_weight(uint64_t shares);
uint64_t weight_to_shares(uint64_t weight);
uint64_t blkio_to_io_weight(uint64_t w);
uint64_t io_to_blkio_weight(uint64_t w);

}  // namespace kiste::cgroup
