// The legacy key names (LXC 0.7 .. 2.0) that LXC 2.1 renamed, and the old
// lxc.network.* scheme (internal). Used by the registry (so old files load)
// and by convert_legacy (so they can be rewritten).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kiste::lxc::detail {

struct LegacyName {
    std::string_view old_name;
    std::string_view new_name;
    bool prefix = false;  // lxc.limit.X -> lxc.prlimit.X
};
std::span<const LegacyName> legacy_names();

// Today's name for a legacy key other than lxc.network.*; nullopt when the
// key is not a legacy name.
std::optional<std::string> modern_key(std::string_view key);

// Keys that LXC dropped without a replacement and kiste accepts and ignores.
bool is_obsolete_key(std::string_view key);

// lxc.network, lxc.network.X and lxc.network.N.X.
struct LegacyNet {
    std::optional<unsigned> index;  // lxc.network.N.X
    std::string sub;                // today's sub-key ("ipv4.address"); "" for lxc.network
};
bool is_legacy_network(std::string_view key);
std::optional<LegacyNet> parse_legacy_network(std::string_view key);
// The legacy spelling of each sub-key ("ipv4" for "ipv4.address"), for suggestions.
std::span<const std::string_view> legacy_network_subkeys();

}  // namespace kiste::lxc::detail
