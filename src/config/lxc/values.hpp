// Value parsers for the LXC config language (internal). Parsers return the
// bare reason on failure ("expected a non-negative integer"); the key table
// wraps it into "invalid value 'V': reason".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

#include "base/words.hpp"

namespace kiste::lxc::detail {

// ---- text
std::string_view trim(std::string_view s);
using kiste::split_blanks;  // spaces and tabs
std::vector<std::string_view> split_on(std::string_view s, char sep);
std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// Joins a relative path to `base_dir` (empty base: unchanged).
std::string join_path(std::string_view base_dir, std::string_view path);
std::string dir_name(std::string_view path);  // "a/b.conf" -> "a", "b.conf" -> ""
// LXC's parse_line: a value wholly inside '...' or "..." loses the quotes.
std::string_view unquote(std::string_view value);

// ---- numbers
Result<uint64_t> parse_u64(std::string_view s);
Result<int64_t> parse_i64(std::string_view s);
Result<uint32_t> parse_u32(std::string_view s);
Result<bool> parse_bool01(std::string_view s);
// Sizes with an optional K/M/G/T suffix (1024-based, case-insensitive, an
// optional trailing B as in "KB"), as the kernel's memparse and LXC accept.
Result<uint64_t> parse_size(std::string_view s);
// lxc.console.buffer.size / .size: "auto" (128 KiB) or a size.
Result<uint64_t> parse_console_size(std::string_view s);
// "5s", "-10ms", "3h" (h, m, s, ms, us, ns; the unit is required, as in LXC).
Result<int64_t> parse_time_offset(std::string_view s);
std::string format_time_offset(int64_t ns);

// ---- signals: "SIGTERM", "term", "15", "SIGRTMIN+3", "RTMAX-2"
Result<int> parse_signal(std::string_view s, bool allow_zero = false);

// ---- capabilities: "sys_admin", "CAP_SYS_ADMIN", "21" -> "sys_admin"/"21"
Result<std::string> canonical_cap(std::string_view s);

// ---- rlimits: "nofile" -> RLIMIT_NOFILE
std::span<const std::string_view> rlimit_names();
std::optional<int> rlimit_from_name(std::string_view name);
// "unlimited", "N", "SOFT:HARD"
Result<std::pair<uint64_t, uint64_t>> parse_rlimit_value(std::string_view s);
std::string format_rlimit_value(uint64_t soft, uint64_t hard);

// ---- namespaces: names as in /proc/PID/ns ("mount" is accepted for "mnt")
std::span<const std::string_view> ns_names();
std::optional<NsKind> ns_from_name(std::string_view name);
Result<std::string> canonical_ns(std::string_view name);

// ---- network
Result<void> check_ifname(std::string_view name, bool allow_pattern = false);
Result<void> check_hwaddr(std::string_view s);
// "192.168.1.2/24 [broadcast]"; without a prefix the class prefix (as LXC).
Result<NetInterface::Address> parse_ipv4_address(std::string_view s);
// "2001:db8::1/64"; without a prefix 64.
Result<NetInterface::Address> parse_ipv6_address(std::string_view s);
std::string format_address(const NetInterface::Address& a);  // "ADDR/PREFIX [BROADCAST]"
Result<IpAddress> parse_ip(std::string_view s, bool v6);
// "auto", "dev" or an address of the family.
Result<NetInterface::Gateway> parse_gateway(std::string_view s, bool v6);
std::string format_gateway(const NetInterface::Gateway& g);  // "" for none
Result<IpPrefix> parse_route(std::string_view s, bool v6);   // "x.y.z.t/m"

// ---- idmap "u 0 100000 65536"
struct IdmapLine {
    char type;
    IdMapping map;
};
Result<IdmapLine> parse_idmap(std::string_view s);

// ---- a fixed set of words
Result<std::string> one_of(std::string_view v, std::span<const std::string_view> allowed);

// ---- codecs for the scalar key helpers (see keys.hpp)
struct StrCodec {
    static Result<std::string> parse(std::string_view v) { return std::string(v); }
    static std::string format(const std::string& s) { return s; }
};
struct AbsPathCodec {
    static Result<std::string> parse(std::string_view v);
    static std::string format(const std::string& s) { return s; }
};
struct BoolCodec {
    static Result<bool> parse(std::string_view v) { return parse_bool01(v); }
    static std::string format(bool b) { return b ? "1" : "0"; }
};
struct U32Codec {
    static Result<uint32_t> parse(std::string_view v) { return parse_u32(v); }
    static std::string format(uint32_t n) { return std::to_string(n); }
};
struct U64Codec {
    static Result<uint64_t> parse(std::string_view v) { return parse_u64(v); }
    static std::string format(uint64_t n) { return std::to_string(n); }
};
struct I64Codec {
    static Result<int64_t> parse(std::string_view v) { return parse_i64(v); }
    static std::string format(int64_t n) { return std::to_string(n); }
};
struct SignalCodec {  // 0 = unset (the default signal)
    static Result<int> parse(std::string_view v) { return parse_signal(v); }
    static std::string format(int n) { return n == 0 ? std::string() : std::to_string(n); }
};
struct ConsoleSizeCodec {
    static Result<uint64_t> parse(std::string_view v) { return parse_console_size(v); }
    static std::string format(uint64_t n) { return n == 0 ? std::string() : std::to_string(n); }
};
template <class C>
struct OptCodec {  // an optional value: unset formats as ""
    using T = typename decltype(C::parse(std::string_view{}))::value_type;
    static Result<std::optional<T>> parse(std::string_view v) {
        auto r = C::parse(v);
        if (!r) return std::unexpected(r.error());
        return std::optional<T>(std::move(*r));
    }
    static std::string format(const std::optional<T>& o) {
        return o ? C::format(*o) : std::string();
    }
};

}  // namespace kiste::lxc::detail
