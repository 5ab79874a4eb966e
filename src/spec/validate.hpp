// Checks a ContainerSpec for contradictions before anything is created, so
// that bad input fails early with a clear message and leaves nothing behind.
#pragma once

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste {

Status validate(const ContainerSpec& spec);

}  // namespace kiste
