// kiste attach runs from a sealed image of its own binary (as kiste-init
// does, see runtime/init_image.hpp): the attached process runs kiste's code
// inside the container until its exec, and root in a privileged container,
// which may ptrace it (CAP_SYS_PTRACE overrides non-dumpability), would
// otherwise reach the host's kiste binary through /proc/PID/exe (the
// CVE-2019-5736 class). Re-executing once at the start makes every helper,
// forked or cloned later, run from the sealed image.
#pragma once

#include "base/log.hpp"
#include "kiste/error.hpp"

namespace kiste::attach {

// Set (to "1") in the environment of the re-executed kiste only; removed by
// run_from_sealed_image, so it never reaches the attached command.
inline constexpr const char* kSealedMarker = "_KISTE_ATTACH_SEALED";

// Without the marker: re-executes this kiste from a sealed image of its
// binary, with the same arguments (/proc/self/cmdline) and environment plus
// the marker; returns only on failure. With it: removes it and checks that
// the running image is sealed (a read-only overlayfs or a write-sealed memfd).
Status run_from_sealed_image(const Logger& log);

// True when the file open at fd is a sealed image as above.
bool is_sealed_image(int fd);

}  // namespace kiste::attach
