// Where kiste keeps its runtime files: $KISTE_RUN_DIR, else /run/kiste. The
// bottom layer owns it, so that every layer above (cgroup, net, state) finds
// it without depending on another.
#pragma once

#include <string>

namespace kiste {

std::string run_root();

}  // namespace kiste
