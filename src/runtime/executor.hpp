// Runs one command in a container and waits for it (the engine of `kiste
// execute`): name lock, kiste-init image, launch, signal forwarding, exit code.
#pragma once

#include "base/child_guard.hpp"
#include "base/log.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::runtime {

// The signals kiste passes on to the container's PID 1 (lxc-init's set).
const sigset_t& forwarded_signals();

// spec.name empty: a unique name is generated. Blocks until the container's
// PID 1 exits; returns its status (kiste-init reports the command's).
Result<ExitStatus> execute(ContainerSpec spec, Logger& log);

}  // namespace kiste::runtime
