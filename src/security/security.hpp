// Process security of the container's payload, applied in its child just
// before exec: sysctls, rlimits, credentials and capabilities, environment.
// (Seccomp and LSM labels will live here too.)
#pragma once

#include "security/caps.hpp"
#include "security/environment.hpp"
#include "security/rlimits.hpp"
#include "security/sysctl.hpp"
