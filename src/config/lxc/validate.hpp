// The runtime's validation (spec/validate.hpp) in the LXC config's terms: a
// problem with a spec field is told at the key that set it, after its
// file:line, as parse errors are ("c.conf:3: lxc.uts.name = web: a hostname
// needs a private UTS namespace (it would rename the host)").
#pragma once

#include "config/lxc/config.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"
#include "spec/validate.hpp"

namespace kiste::lxc {

// Validates `spec`, made by to_spec(cfg) and completed by the caller (the
// command to run), before anything is created.
Status validate_spec(const LxcConfig& cfg, const ContainerSpec& spec);

// The message of one problem of a spec made from `cfg`: "ORIGIN: KEY = VALUE:
// reason", with the parts the config knows (no origin for a key set without
// one; no key for a field no LXC key sets).
Error describe_problem(const LxcConfig& cfg, const ContainerSpec& spec, const SpecProblem& p);

}  // namespace kiste::lxc
