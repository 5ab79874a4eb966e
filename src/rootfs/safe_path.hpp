// Paths inside the container's root, resolved by the kernel so that nothing
// in the rootfs (absolute or ".." symlinks, magic links) leads out of it:
// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to an O_PATH fd
// of the root. Mounts then go onto "/proc/self/fd/N" of the resolved fd.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/sys.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::rootfs {

// "/proc/self/fd/N": the path the kernel maps back to exactly that file.
std::string fd_path(int fd);

// Opens `path` (relative to the root, "" = the root) as an O_PATH fd.
Result<UniqueFd> open_in_root(Sys& sys, int root, std::string_view path);

// Like open_in_root, creating what is missing: every missing parent as a
// directory (0755), the last component as a directory or an empty file
// (`file_mode`). Each component is made with mkdirat/openat(O_EXCL) relative
// to its safely resolved parent, so a dangling symlink is never followed; a
// path through one is an error.
Result<UniqueFd> create_in_root(Sys& sys, int root, std::string_view path, MountEntry::Create kind,
                                mode_t file_mode = 0644);

// Splits "a/b/c" into {"a/b", "c"}; {"", "c"} for "c".
std::pair<std::string, std::string> split_parent(std::string_view path);

}  // namespace kiste::rootfs
