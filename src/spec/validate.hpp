// Checks a ContainerSpec for contradictions before anything is created, so
// that bad input fails early with a clear message and leaves nothing behind.
//
// The messages speak the runtime's own model ("a hostname needs a private
// UTS namespace"), never a front-end's keys: the same spec comes from an LXC
// config or an OCI config.json. Each problem names the spec field it is
// about, so a front-end can say where its user wrote that field (the LXC
// front-end: "config:3: lxc.uts.name = web: a hostname needs ...").
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste {

// The part of a ContainerSpec a validation problem is about.
enum class SpecField {
    ProcessArgs,    // process.args
    ProcessCwd,     // process.cwd
    Rlimits,        // process.rlimits[index]
    Hostname,       // hostname
    Domainname,     // domainname
    UserNamespace,  // namespaces[User]: new, without id mappings
    UidMappings,    // uid_map[index]
    GidMappings,    // gid_map[index]
    TimeOffsets,    // time_offset_boottime_ns / time_offset_monotonic_ns
    RootfsPath,     // rootfs.path
    Mounts,         // mounts[index]
    Sysctls,        // sysctls[index]
};

// The field's name in the OCI runtime spec's terms ("process.cwd",
// "linux.uidMappings"), for messages of callers that have no file of their own.
const char* spec_field_name(SpecField field);

struct SpecProblem {
    SpecField field = SpecField::ProcessArgs;
    size_t index = 0;  // the element of a list field (uid_map, mounts, sysctls)
    // Where the element came from, when the spec records it (a mount's
    // origin, "config:12"); empty otherwise.
    std::string place;
    Error error;  // the runtime's own words; errno when the kernel gave one
};

// The first problem of `spec`, or nullopt when it is sound. Reads the file
// system only to check that the rootfs is a directory.
std::optional<SpecProblem> find_problem(const ContainerSpec& spec);

// find_problem as a Status: the problem's message, after its place when the
// spec knows one ("config:12: a mount needs a private mount namespace").
Status validate(const ContainerSpec& spec);

}  // namespace kiste
