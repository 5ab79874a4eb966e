// A container's hooks at their moments, with LXC's arguments and environment
// (lxc.container.conf(5), "CONTAINER HOOKS"). Who calls what, where:
//
//   type        where it runs                           called from
//   ----------  --------------------------------------  ------------------------------
//   pre-start   host namespaces, before the clone        runtime::launch (parent)
//   pre-mount   the container's mount ns, / private,     rootfs::setup (the plan's
//               before the rootfs is bound               Hooks ops, in the child)
//   mount       after every mount, before pivot_root     rootfs::setup
//   autodev     after the mount hooks and /dev (with     rootfs::setup
//               lxc.autodev and a rootfs), before pivot
//   start-host  host namespaces, the child set up,       runtime::launch (parent)
//               before its init executes; LXC_PID
//   start       inside the container (the hook and       runtime::launch (child)
//               /bin/sh resolved there), just before
//               init executes, with its credentials
//   stop        host namespaces, the container down;     the teardown of each face
//               its namespaces kept open from launch
//   post-stop   host, after the container is cleaned up  the teardown of each face
//   destroy     host, `kiste destroy`, before removal    tmpl::destroy
//
// Arguments (lxc.hook.version 0): NAME lxc TYPE [extra], where stop's extra
// are the container's namespaces as "mnt:/proc/KISTE_PID/fd/N". Version 1:
// only the extra arguments; LXC_HOOK_TYPE, LXC_HOOK_SECTION=lxc and, for
// stop, LXC_<NS>_NS=/proc/KISTE_PID/fd/N in the environment instead.
// Environment (on top of kiste's own, LXC_* taken out): LXC_NAME,
// LXC_CONFIG_FILE, LXC_ROOTFS_MOUNT, LXC_ROOTFS_PATH, LXC_CONSOLE,
// LXC_CONSOLE_LOGPATH (when set), LXC_CGNS_AWARE=1 (a kernel with cgroup
// namespaces), LXC_LOG_LEVEL, LXC_HOOK_VERSION; LXC_PID for start-host, stop
// and post-stop; LXC_TARGET=stop|reboot for stop and post-stop; the start
// hook gets the container's lxc.environment too.
// Without hooks of a type, its moment costs nothing (not even a syscall).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "base/unique_fd.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::hooks {

enum class Type { PreStart, PreMount, Mount, Autodev, StartHost, Start, Stop, PostStop, Destroy };

// LXC's name: "pre-start", "post-stop", ...
std::string_view type_name(Type t);
std::optional<Type> parse_type(std::string_view name);
const std::vector<Hook>& hooks_of(const ContainerSpec& spec, Type t);

// What a moment adds to every hook's arguments and environment.
struct Moment {
    pid_t pid = 0;                    // LXC_PID when > 0
    std::optional<bool> reboot{};     // LXC_TARGET=reboot|stop
    std::vector<std::string> args{};  // after NAME lxc TYPE (version 0)
    std::vector<std::string> env{};   // "K=V"
};

// The environment of a hook of `t` (see above); `base` is the process's own
// environment ("K=V"), of which LXC_* are left out.
std::vector<std::string> hook_environment(const ContainerSpec& spec, Type t, const Moment& m,
                                          const std::vector<std::string>& base);
// NAME lxc TYPE (version 0) or nothing (1), then the moment's.
std::vector<std::string> hook_arguments(const ContainerSpec& spec, Type t, const Moment& m);

// Runs the spec's hooks of type `t`, in order; the first failure stops them
// and is the result.
Status run_hooks(const ContainerSpec& spec, Type t, const Moment& m, Logger& log);

// The hooks the launcher's child runs (pre-mount, mount, autodev) need a
// mount namespace of the container's own: checked before the clone.
Status check_runnable(const ContainerSpec& spec);

// What the stop and post-stop hooks need of a container that ran: its init's
// pid, and (only with stop hooks) its namespaces, opened while the init lived
// and kept open until the stop hooks have run. Empty (pid 0): the container
// never ran, and its stop hooks do not run.
struct ContainerRefs {
    pid_t pid = 0;
    std::vector<std::pair<std::string, UniqueFd>> namespaces{};  // "mnt", fd
};
// After the child has set itself up (its namespaces are final).
Result<ContainerRefs> keep_container_refs(const ContainerSpec& spec, pid_t init);

// The teardown moments. Failures are logged: the teardown goes on (as LXC's).
void run_stop_hooks(const ContainerSpec& spec, const ContainerRefs& ran, bool reboot, Logger& log);
void run_post_stop_hooks(const ContainerSpec& spec, const ContainerRefs& ran, bool reboot,
                         Logger& log);
// `kiste destroy`: a failure stops the removal.
Status run_destroy_hooks(const ContainerSpec& spec, Logger& log);

}  // namespace kiste::hooks
