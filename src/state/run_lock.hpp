// The runtime directory of one container, /run/kiste/NAME/, and its lock.
// Holding the lock means "this container is live": a second `kiste execute
// -n NAME` finds it held and refuses; a directory whose lock nobody holds was
// left by a killed kiste and is taken over (and cleaned) by the next command.
#pragma once

#include <string>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::state {

// $KISTE_RUN_DIR, else /run/kiste.
std::string run_root();

// A container name must be a single safe path component.
Status validate_name(const std::string& name);

// A unique name for an unnamed execute: "exec-" and 12 random hex digits.
std::string generate_name();

class RunLock {
public:
    // Creates run_root/NAME and takes its lock without waiting; fails with
    // EBUSY "container NAME is already running" when another process holds it.
    static Result<RunLock> acquire(const std::string& root, const std::string& name);

    RunLock() = default;
    RunLock(RunLock&&) noexcept = default;
    RunLock& operator=(RunLock&&) noexcept = default;
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;
    // Removes the directory (it is ours while the lock is held).
    ~RunLock();

    [[nodiscard]] const std::string& dir() const { return dir_; }

private:
    std::string dir_;
    UniqueFd lock_;
};

}  // namespace kiste::state
