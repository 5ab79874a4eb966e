// `kiste create` and `kiste destroy`: a named container's files in its
// container path (LXCPATH/NAME/{config,rootfs}).
//
// create: the container directory (0770) is made atomically (an existing
// name is refused), holding LXC's `partial` marker until the end; the
// config is written (create_config.hpp), the template builds the rootfs and
// may append keys; the final config must load. The name lock
// (state/run_lock.hpp) is held throughout, so the container cannot be
// started half-made. Any failure, and SIGINT/SIGTERM/SIGHUP/SIGQUIT
// meanwhile, removes everything create made.
//
// Templates (lookup.hpp):
//   none     config only; a lxc.rootfs.path from -f is kept and marked
//            lxc.rootfs.managed = 0 (destroy will not delete it); without
//            one, an empty LXCPATH/NAME/rootfs (as lxc-create -t none), never
//            a config that would boot the host's own init
//   dir      `-- --dir DIR`: an existing rootfs directory, recorded as
//            lxc.rootfs.path = dir:DIR with lxc.rootfs.managed = 0
//   debian   built in (debian.hpp)
//   other    an executable kiste-NAME / NAME / lxc-NAME in the template path,
//            or a path; called as LXC calls templates:
//              TEMPLATE --path LXCPATH/NAME --name NAME --rootfs LXCPATH/NAME/rootfs
//                       [--mapped-uid U --mapped-gid G] ARGS...
//            with LXC_NAME, LXC_PATH (= --path), LXC_ROOTFS_PATH, LXC_CONFIG_FILE
//            in its environment, in its own process group and mount namespace.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "kiste/error.hpp"
#include "state/container_state.hpp"
#include "template/lookup.hpp"

namespace kiste::tmpl {

struct CreateOptions {
    std::string template_name;               // -t
    std::string config_file;                 // -f ("" = none)
    std::vector<std::string> template_args;  // after --
    // Where external templates are looked up; empty: default_template_path().
    std::vector<TemplateDir> template_path;
    // Block the interrupting signals and roll back on them (a CLI wants
    // this; a caller with its own signal handling may not).
    bool handle_signals = true;
    // Progress lines for the user (the debian template's steps); may be empty.
    std::function<void(std::string_view)> progress;
};

// The lxcpath made absolute (relative to the cwd), without a trailing '/'.
std::string absolute_lxcpath(const std::string& lxcpath);

Status create(const state::ContainerPaths& paths, const CreateOptions& opt, Logger& log);

struct DestroyOptions {
    bool force = false;     // -f: stop a running container first
    int stop_timeout = 10;  // seconds for that stop, then SIGKILL
};

// Removes a stopped container (see destroy.cpp for exactly what).
Status destroy(const state::ContainerPaths& paths, const DestroyOptions& opt, Logger& log);

}  // namespace kiste::tmpl
