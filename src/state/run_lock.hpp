// The name lock of a live container. It is an abstract unix socket bound to
// "kiste:<run root>/<name>": binding is atomic, a second live container of
// that name finds the address taken, and the kernel releases it when the
// holder dies, however it dies. Nothing is written to disk, so a killed kiste
// leaves nothing behind and a start pays no file system round trip.
#pragma once

#include <string>

#include "base/run_root.hpp"
#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::state {

// $KISTE_RUN_DIR, else /run/kiste (see base/run_root.hpp).
inline std::string run_root() {
    return kiste::run_root();
}

// A container name must be a single safe path component.
Status validate_name(const std::string& name);

// A unique name for an unnamed execute: "exec-" and 12 random hex digits.
std::string generate_name();

class NameLock {
public:
    // Takes the lock without waiting; fails with EBUSY "container NAME is
    // already running" when a live process holds it.
    static Result<NameLock> acquire(const std::string& root, const std::string& name);
    // Whether a live process holds the lock (for listing and state queries).
    static bool held(const std::string& root, const std::string& name);

    [[nodiscard]] int fd() const { return sock_.get(); }

private:
    UniqueFd sock_;
};

}  // namespace kiste::state
