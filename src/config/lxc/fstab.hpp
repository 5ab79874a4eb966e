// fstab lines as LXC reads them (lxc.mount.entry, lxc.mount.fstab): the
// fields, the options split into MS_* flags, propagation, LXC's own options
// (optional, create=dir|file, relative) and the filesystem data. Internal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::lxc::detail {

struct ParsedMountOptions {
    unsigned long flags = 0;
    unsigned long propagation = 0;
    std::string data;  // what the kernel gets as mount data (comma-separated)
    bool optional = false;
    bool relative = false;  // the source is relative to the container's rootfs
    MountEntry::Create create = MountEntry::Create::None;
};
Result<ParsedMountOptions> parse_mount_options(std::string_view opts);

// One fstab line: SOURCE TARGET FSTYPE [OPTIONS [DUMP [PASS]]], with the
// octal escapes of fstab(5) (\040 for a blank). `origin` is stored in the entry.
Result<MountEntry> parse_fstab_line(std::string_view line, std::string_view origin);

// A whole fstab file: blank lines and # comments skipped; each entry's origin
// is "path:line".
Result<std::vector<MountEntry>> parse_fstab_text(std::string_view text, std::string_view name);

// lxc.mount.auto tokens.
Status check_mount_auto_token(std::string_view token);

}  // namespace kiste::lxc::detail
