// kiste-init as a sealed, anonymous memfd: the container's PID 1 executes
// this copy, so nothing inside can reach (or write through /proc/1/exe) the
// host's kiste binaries (the CVE-2019-5736 lesson).
#pragma once

#include <string>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::runtime {

// Where kiste-init is: $KISTE_INIT, else next to the running kiste binary
// (a build tree), else the installed libexec path.
Result<std::string> find_init_binary();

// Copies the file at `path` into a memfd and seals it against any change.
Result<UniqueFd> sealed_copy(const std::string& path);

}  // namespace kiste::runtime
