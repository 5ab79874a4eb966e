// The v1 cgroup files whose meaning is clear, as structured Resources
// (internal; keys_cgroup.cpp checks values with it, to_spec fills Resources).
#pragma once

#include <string_view>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::lxc::detail {

// `key` is "controller.file" (memory.limit_in_bytes, cpu.shares, pids.max,
// devices.allow, ...). A file kiste does not interpret is left alone; a bad
// value for one it does is an error (the bare reason).
Status apply_v1_setting(Resources& res, std::string_view key, std::string_view value);

}  // namespace kiste::lxc::detail
