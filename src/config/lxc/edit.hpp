// Editing a config file's text in place (kiste set): one key's line replaced
// or appended, every other line (comments, blank lines, includes, order)
// kept as it is.
#pragma once

#include <string>
#include <string_view>

namespace kiste::lxc {

// `text` with `key = value`: the first line that sets `key` (and whose value
// starts with `value_prefix`, for per-device keys such as
// "lxc.cgroup2.io.max = 8:0 rbps=...") is replaced in place, later ones are
// dropped; without one the line is appended. Keys in included files are not
// touched: the top-level line wins, as the loader reads it last.
std::string set_config_line(std::string_view text, std::string_view key, std::string_view value,
                            std::string_view value_prefix = {});

}  // namespace kiste::lxc
