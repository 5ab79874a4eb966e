// Whether a container's device rules let it open its ptys: the ttys of
// lxc.tty.max and the console are slaves of a devpts (c 136:*), and rules
// like the talk's (devices.deny = a, then allow lines without 136) leave
// them in /dev, unopenable, with nothing said. kiste does not change the
// rules (the config asked for them); it says so once at start/execute.
#pragma once

#include <optional>
#include <string>

#include "kiste/spec.hpp"

namespace kiste::cgroup {

// The rule that denies read/write of every c 136:N, as "KEY = VALUE
// (ORIGIN)"; nullopt when the rules allow it (or there are none: LXC's
// default set allows it). The rules are read as the kernel reads them (last
// match decides, "a" resets); only rules for all minors of 136 count, since
// the ptys' numbers are not known in advance.
std::optional<std::string> pty_open_denied_by(const CgroupConfig& cfg);

// The warning for container `name` with `ttys` ttys (lxc.tty.max) or, when
// `console`, a console pty, and device rules that deny opening them.
std::optional<std::string> pty_access_warning(const std::string& name, uint32_t ttys, bool console,
                                              const CgroupConfig& cfg);

}  // namespace kiste::cgroup
