// The one table of cgroup values kiste knows: what the kernel accepts for a
// file of each layout, so that a bad value fails with the key and a reason
// before the write (the kernel's errno is the last word for everything
// else). The LXC front-end checks lxc.cgroup.* / lxc.cgroup2.* lines with it
// when a config loads, the cgroup managers and `kiste cgroup` before they
// write, `kiste set` for its ranges: a value one of them accepts, all do.
// The one byte-size parser lives here too.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kiste/error.hpp"

namespace kiste::cgroup {

// A non-negative decimal integer.
std::optional<uint64_t> parse_uint(std::string_view s);
std::optional<int64_t> parse_int(std::string_view s);

// What parse_bytes accepts beside a number with the kernel's memparse
// suffixes (K M G T P E, either case, 1024-based).
struct ByteSyntax {
    bool unlimited = true;  // "-1" and "max" give -1
    bool b_suffix = false;  // "512MB", "4kb", "100b" (LXC's sizes outside cgroups)
};
std::optional<int64_t> parse_bytes(std::string_view s, ByteSyntax syntax = {});

// "0-3,6": a cpu or memory node list. `allow_empty` for v2 (empty = inherit).
bool valid_id_list(std::string_view s, bool allow_empty);

// "MAJ:MIN" with '*' for any (devices); numbers only when `wildcards` is false.
bool valid_dev_numbers(std::string_view s, bool wildcards);

// v1 device rule: "a" or "TYPE MAJ:MIN ACCESS" (TYPE a/b/c, ACCESS of r/w/m).
bool valid_device_rule(std::string_view s);

// One row of the table. `key` may hold one '*' (hugetlb.*.limit_in_bytes).
// Integer rows hold their range in lo..hi; `minus_one` says that -1 is
// accepted beside it (unlimited).
struct KeyRule {
    enum class Kind {
        Bytes,       // v1 byte count, -1 unlimited
        BytesOrMax,  // v2 byte count or "max"
        Integer,     // lo..hi
        CountOrMax,  // pids.max: 0..hi, "max" or -1
        Bool01,
        IdList,      // cpuset lists
        DevWeight,   // "MAJ:MIN W" with W in lo..hi
        DevRate,     // "MAJ:MIN N"
        DeviceRule,  // "a" or "c 1:3 rwm"
        Words,       // one of the blank-separated words in `words`
        ClassId,     // net_cls.classid: 32 bits, decimal or 0x
        CpuMax,      // "QUOTA|max [PERIOD]"
        IoWeight,    // "[default|MAJ:MIN] W" with W in lo..hi
        IoMax,       // "MAJ:MIN rbps=N wbps=N riops=N wiops=N"
    };
    int version;
    std::string_view key;
    Kind kind;
    int64_t lo = 0, hi = 0;
    bool minus_one = false;
    std::string_view words;
};
std::span<const KeyRule> key_rules();
// The row for a key of `version` (1 or 2); nullptr for a file kiste passes
// through unchecked.
const KeyRule* find_rule(int version, std::string_view key);

// Checks the value of a known key; `version` 1 or 2. Unknown keys pass. The
// error is the bare reason ("expected an integer 2..262144").
Status validate_value(int version, std::string_view key, std::string_view value);

// The value as the kernel of that version wants it: "-1" -> "max" for the v2
// limits and pids.max, which take no negative number.
std::string normalize_value(int version, std::string_view key, std::string_view value);

}  // namespace kiste::cgroup
