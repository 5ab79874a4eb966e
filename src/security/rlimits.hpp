// lxc.prlimit.*: resource limits of the container's process.
#pragma once

#include <vector>

#include "base/sys.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::security {

// The name <-> RLIMIT_* table is the config parser's
// (lxc::detail::rlimit_from_name in src/config/lxc/values.hpp); this layer
// only applies limits and names them by Rlimit::name in messages.

// prlimit(0, ...) for each entry, in order. A soft limit above the hard one is
// refused; raising a hard limit the kernel does not allow says why, e.g.
// "rlimit nofile: cannot raise the hard limit from 20000 to 40000: this
// host denies CAP_SYS_RESOURCE". Call it before the capabilities are dropped.
Status apply_rlimits(Sys& sys, const std::vector<Rlimit>& limits);

}  // namespace kiste::security
