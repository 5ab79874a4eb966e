// MAC addresses from LXC's patterns ("00:16:3e:xx:xx:xx").
#pragma once

#include <string>

namespace kiste::net {

// Replaces LXC's 'x' digits of a MAC with random hex (a unicast address).
std::string complete_hwaddr(const std::string& pattern);

}  // namespace kiste::net
