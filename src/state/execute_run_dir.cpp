#include "state/execute_run_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/unique_fd.hpp"
#include "state/run_lock.hpp"

namespace kiste::state {

ContainerPaths execute_paths(const std::string& name) {
    return ContainerPaths{kDefaultLxcPath, name};
}

std::string execute_ttys_mark(const std::string& name) {
    return run_root() + "/" + name + kExecuteTtysExt;
}

Status make_execute_run_dir(const std::string& name) {
    const ContainerPaths paths = execute_paths(name);
    if (::mkdir(paths.run_root().c_str(), 0755) < 0 && errno != EEXIST)
        return fail_errno("creating {}", paths.run_root());
    const std::string mark = execute_ttys_mark(name);
    UniqueFd fd(::open(mark.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    if (!fd) return fail_errno("creating {}", mark);
    if (::mkdir(paths.run_dir().c_str(), 0755) < 0 && errno != EEXIST)
        return fail_errno("creating {}", paths.run_dir());
    return {};
}

void remove_execute_run_dir(const std::string& name) {
    const ContainerPaths paths = execute_paths(name);
    ::unlink(paths.monitor_socket().c_str());
    ::rmdir(paths.run_dir().c_str());
    ::unlink(execute_ttys_mark(name).c_str());
}

}  // namespace kiste::state
