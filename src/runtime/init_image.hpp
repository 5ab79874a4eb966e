// kiste-init as the container's PID 1 sees it: a file that nothing inside
// can change, and that names no host path, so that nobody can write through
// /proc/1/exe into the host's kiste binaries (the CVE-2019-5736 lesson).
#pragma once

#include <string>

#include "base/log.hpp"
#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::runtime {

// Where kiste-init is: $KISTE_INIT, else next to the running kiste binary
// (a build tree), else the installed libexec path.
Result<std::string> find_init_binary();

// An fd (for execveat with AT_EMPTY_PATH) of the file at `path`, sealed.
// Preferred: the file seen through a private overlayfs mount that is never
// attached anywhere and has no upper layer (read-only by construction, so no
// remount can make it writable); about 0.2 ms. overlayfs needs a second lower
// layer, `other_dir`: any directory that is neither above nor below the
// file's (kiste passes its run root). Where overlayfs cannot stack on them,
// a sealed memfd copy (about 0.5 ms for kiste-init, and its pages per run).
// `mount_fd`, when given, receives the overlay's mount fd (left invalid by
// the memfd way): closing the last fd of a detached mount dissolves it and
// waits for an RCU grace period (~0.07 ms), which the caller may rather pay
// while the container runs than before it starts.
Result<UniqueFd> sealed_image(const std::string& path, const std::string& other_dir,
                              const Logger& log, UniqueFd* mount_fd = nullptr);

// The two ways, for tests.
Result<UniqueFd> sealed_overlay(const std::string& path, const std::string& other_dir,
                                UniqueFd* mount_fd = nullptr);
Result<UniqueFd> sealed_copy(const std::string& path);

}  // namespace kiste::runtime
