// The steps of to_spec (internal), one per concern; to_spec.cpp runs them
// in order. Each reads the LxcConfig and fills its part of the spec.
#pragma once

#include "config/lxc/config.hpp"

namespace kiste::lxc::detail {

// The last origin recorded for a key ("" when never set from a file).
std::string origin_of(const LxcConfig& cfg, std::string_view key);

// to_spec.cpp
Status resolve_process(const LxcConfig& cfg, Purpose purpose, ContainerSpec& s);
Status resolve_namespaces(const LxcConfig& cfg, ContainerSpec& s);
Status resolve_caps(const LxcConfig& cfg, ContainerSpec& s);
Status resolve_network(const LxcConfig& cfg, ContainerSpec& s);

// to_spec_mounts.cpp
Status resolve_rootfs(const LxcConfig& cfg, ContainerSpec& s);
Status resolve_mounts(const LxcConfig& cfg, ContainerSpec& s);
Status resolve_auto_mounts(const LxcConfig& cfg, ContainerSpec& s);

// to_spec_other.cpp
Status resolve_cgroup(const LxcConfig& cfg, ContainerSpec& s);
void resolve_hooks(const LxcConfig& cfg, ContainerSpec& s);
void collect_unapplied(const LxcConfig& cfg, Purpose purpose, ContainerSpec& s);

}  // namespace kiste::lxc::detail
