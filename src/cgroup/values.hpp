// Parsers and checks for the values of cgroup files kiste knows: what the
// kernel accepts, so a bad value fails with the key and a reason before the
// write (the kernel's errno is the last word for everything else).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kiste/error.hpp"

namespace kiste::cgroup {

// A non-negative decimal integer.
std::optional<uint64_t> parse_uint(std::string_view s);
std::optional<int64_t> parse_int(std::string_view s);

// Bytes with the kernel's memparse suffixes (K M G T P E, either case);
// -1 (v1's "unlimited") gives -1.
std::optional<int64_t> parse_bytes(std::string_view s);

// "0-3,6": a cpu or memory node list. `allow_empty` for v2 (empty = inherit).
bool valid_id_list(std::string_view s, bool allow_empty);

// "MAJ:MIN" with '*' for any (devices); numbers only when `wildcards` is false.
bool valid_dev_numbers(std::string_view s, bool wildcards);

// v1 device rule: "a" or "TYPE MAJ:MIN ACCESS" (TYPE a/b/c, ACCESS of r/w/m).
bool valid_device_rule(std::string_view s);

// Checks the value of a known key; `version` 1 or 2. Unknown keys pass.
Status validate_value(int version, std::string_view key, std::string_view value);

// The value as the kernel of that version wants it: "-1" -> "max" for the v2
// limits and pids.max, which take no negative number.
std::string normalize_value(int version, std::string_view key, std::string_view value);

}  // namespace kiste::cgroup
