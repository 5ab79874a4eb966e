// fstab lines as LXC reads them (lxc.mount.entry, lxc.mount.fstab): the
// fields and their options, split by rootfs::parse_mount_options. Internal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::lxc::detail {

// One fstab line: SOURCE TARGET FSTYPE [OPTIONS [DUMP [PASS]]], with the
// octal escapes of fstab(5) (\040 for a blank). `origin` is stored in the entry.
Result<MountEntry> parse_fstab_line(std::string_view line, std::string_view origin);

// A whole fstab file: blank lines and # comments skipped; each entry's origin
// is "path:line".
Result<std::vector<MountEntry>> parse_fstab_text(std::string_view text, std::string_view name);

// lxc.mount.auto tokens.
Status check_mount_auto_token(std::string_view token);

}  // namespace kiste::lxc::detail
