// Reading and writing files inside a rootfs being built, resolved by the
// kernel inside the root (openat2 RESOLVE_IN_ROOT, see rootfs/safe_path.hpp):
// an absolute symlink in the tree (/etc/resolv.conf -> /run/...) never leads
// to the host's file.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::tmpl {

// An O_PATH fd of the rootfs directory.
Result<UniqueFd> open_root(const std::string& rootfs);

// Replaces `rel` (relative to the root) with a regular file holding
// `content`: written beside it and renamed over it, so a symlink there is
// replaced, not followed. Missing parent directories are made (0755).
Status write_in_root(int root, std::string_view rel, std::string_view content, mode_t mode = 0644);

// The file's content; nullopt when it does not exist.
Result<std::optional<std::string>> read_in_root(int root, std::string_view rel);

// Replaces `rel` with a symlink to `target` (made as given, not resolved).
Status symlink_in_root(int root, std::string_view rel, std::string_view target);

// Removes a file or symlink (not a directory); a missing one is no error.
Status remove_in_root(int root, std::string_view rel);

// Removes the regular files directly in directory `dir` whose names end
// in `suffix` ("" = all); subdirectories and symlinks stay. A missing
// directory is no error.
Status remove_files_in_root(int root, std::string_view dir, std::string_view suffix);

// Makes the directory and its missing parents.
Status mkdirs_in_root(int root, std::string_view rel);

bool exists_in_root(int root, std::string_view rel);

}  // namespace kiste::tmpl
