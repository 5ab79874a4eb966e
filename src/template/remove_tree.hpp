// Removing a container's files without ever leaving them: no symlink is
// followed, no other file system is entered, nothing mounted is touched.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiste/error.hpp"

namespace kiste::tmpl {

// Mount points at or below `dir` (an absolute, canonical path) in a
// /proc/PID/mountinfo text; the octal escapes (\040 ...) are decoded.
std::vector<std::string> mounts_below(std::string_view mountinfo, const std::string& dir);

// The same for this process's mount namespace; `path` may hold symlinks
// (it is canonicalised first). An empty list when `path` does not exist.
Result<std::vector<std::string>> mounts_below_path(const std::string& path);

// Removes `path` and, when it is a directory, everything below it, like
// `rm -rf --one-file-system` but stricter: a symlink is removed, never
// followed (the last component included); a directory that is on another
// file system or is a mount root (statx STATX_ATTR_MOUNT_ROOT, which also
// catches bind mounts of the same file system) stops the removal with an
// error naming it. A path that does not exist is not an error.
// Refuses "/" and relative paths.
Status remove_tree(const std::string& path);

// remove_tree after checking that nothing is mounted below `path`; the
// error lists the mount points.
Status remove_tree_checked(const std::string& path);

}  // namespace kiste::tmpl
