// kiste config --convert: a config in today's keys, as lxc-update-config
// makes it, printed or written back in place.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiste/error.hpp"

namespace kiste::lxc {

struct Conversion {
    std::string text;  // the config with legacy keys renamed
    // One per line kept as it was because it could not be converted
    // ("c.conf:2: unknown key 'lxc.utsnam' (did you mean 'lxc.uts.name'?)").
    std::vector<std::string> warnings;
};

// Like convert_legacy (config.hpp), but a line it cannot convert (an unknown
// key, a legacy network key before any lxc.network.type) stays as it is,
// with a warning, as lxc-update-config leaves what it does not know.
Conversion convert_config(std::string_view text, const std::string& origin);

// A config file's text: a regular file within kiste's limit for one file
// (limits.hpp); a FIFO or a device is an error, never a hang.
Result<std::string> read_config_text(const std::string& path);

// Replaces the file `path` (a symlink: its target) with `text`
// atomically: a temporary file in the same directory with the old file's
// mode and owner, fsynced, renamed over it. The old text is kept as
// PATH.backup first, as lxc-update-config keeps it.
Status replace_config_file(const std::string& path, std::string_view text);

}  // namespace kiste::lxc
