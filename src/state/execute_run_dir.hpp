// What a `kiste execute` that serves ttys (lxc.tty.max) keeps in the run
// root besides its name lock: the run directory RUNROOT/NAME/ with the
// console socket monitor.sock, where `kiste console NAME` looks as it does
// for a started container (the paths of the default container path), and
// the mark RUNROOT/NAME.ttys, made before the directory and removed after
// it. A kiste killed with -9 leaves both behind (its ptys go with its fds);
// the next `kiste execute`, of any name, removes them once it holds their
// name lock, as it does with a killed run's cgroups and network.
#pragma once

#include <string>

#include "kiste/error.hpp"
#include "state/container_state.hpp"

namespace kiste::state {

ContainerPaths execute_paths(const std::string& name);
std::string execute_ttys_mark(const std::string& name);
// The extension of the mark, for sweeps over the run root.
inline constexpr const char* kExecuteTtysExt = ".ttys";

// The mark, then the directory.
Status make_execute_run_dir(const std::string& name);
// The socket, the directory, then the mark; the caller holds the name lock.
void remove_execute_run_dir(const std::string& name);

}  // namespace kiste::state
