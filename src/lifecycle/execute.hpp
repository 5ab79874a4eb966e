// Runs one command in a container and waits for it (the engine of `kiste
// execute`): name lock, the container's state record (the same one `kiste
// start` writes, so `kiste ls`, `info`, `attach` and `stop` see it),
// kiste-init image, launch, signal forwarding, exit code.
#pragma once

#include <poll.h>

#include <span>
#include <string>
#include <vector>

#include "base/child_guard.hpp"
#include "base/log.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"
#include "state/container_state.hpp"

namespace kiste::lifecycle {

// The signals kiste passes on to the container's PID 1 (lxc-init's set).
const sigset_t& forwarded_signals();

// What a caller serves while its container runs, beside the wait: `kiste
// execute`'s lxc.tty.max ttys and their console socket
// (manager/execute_ttys.hpp). The executor calls prepare() with the name
// lock held and the run directory made, before the launch; then, while
// PID 1 runs, add_poll_fds() and handle() around each poll; and end() once
// PID 1 is gone or the launch failed, with the lock still held, so that a
// later run of the same name never sees what this one made.
class RunService {
public:
    virtual ~RunService() = default;
    // Returns the pty slaves to bind onto /dev/tty1..N.
    virtual Result<std::vector<int>> prepare(const state::ContainerPaths& paths) = 0;
    virtual void add_poll_fds(std::vector<pollfd>& fds) = 0;
    // What poll() returned for exactly the fds add_poll_fds appended.
    virtual void handle(std::span<const pollfd> fds) = 0;
    virtual void end() = 0;
};

// Where an execute's container is named: in the run root of `lxcpath`
// (state::ContainerPaths), the config file it was read from on record.
struct ExecutePlace {
    std::string lxcpath = state::kDefaultLxcPath;
    std::string config_file;
};

// spec.name empty: a unique name is generated. Blocks until the container's
// PID 1 exits; returns its status (kiste-init reports the command's).
// `service`, when given, runs beside the container (see RunService).
Result<ExitStatus> execute(ContainerSpec spec, const ExecutePlace& place, Logger& log,
                           RunService* service = nullptr);

}  // namespace kiste::lifecycle
