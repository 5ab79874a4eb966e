// Device access on cgroup v2: v1's devices.allow/deny lists compiled into a
// BPF_PROG_TYPE_CGROUP_DEVICE program attached to the container's cgroup (as
// runc's devicefilter and crun's ebpf.c do).
//
// Semantics, close to v1's: rules are read in order; "a" (all devices, any
// access) sets the default and forgets the rules before it; for a request the
// last matching rule decides. An allow rule matches when it grants every
// access asked for, a deny rule when it refuses any of them (so "allow c 1:3
// rwm" then "deny c 1:3 w" lets r through and not rw, as v1 does). Without an
// "a" rule the default is allow, as on a cgroup with no program.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <string_view>
#include <vector>

#include "cgroup/fs.hpp"
#include "kiste/spec.hpp"

namespace kiste::cgroup::v2::devices {

// "c 1:3 rwm", "a", "b *:* m" (devices.allow / devices.deny syntax).
Result<DeviceRule> parse_rule(std::string_view text, bool allow);

std::vector<bpf_insn> compile(const std::vector<DeviceRule>& rules);

// Loads the program and attaches it to the cgroup (BPF_F_ALLOW_MULTI);
// programs kiste attached there before are detached afterwards, so a live
// update never leaves the cgroup without a filter.
Status install(const Dir& cgroup, const std::vector<bpf_insn>& program);

}  // namespace kiste::cgroup::v2::devices
