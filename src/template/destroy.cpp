// kiste destroy: what it removes, in this order, and when it refuses.
//   1. A container that is not STOPPED is refused, unless -f: then it is
//      stopped (halt signal, SIGKILL after the timeout).
//   2. The name lock is taken (a start cannot race the removal) and the
//      leftovers of a dead run are cleaned up (manager::cleanup_stale).
//   3. Nothing may be mounted below the container directory or the rootfs:
//      the removal is refused, naming the mount points, before anything is
//      deleted. Then the config's lxc.hook.destroy hooks run (as LXC runs
//      them, before the removal); a failing one stops it.
//   4. The rootfs, when lxc.rootfs.managed is not 0 and it lies outside the
//      container directory (a dir: path; other backing stores are left
//      alone with a warning), then the container directory with config,
//      log and, usually, rootfs. remove_tree never follows a symlink nor
//      enters another file system.
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "config/lxc/config.hpp"
#include "hooks/hooks.hpp"
#include "manager/manager.hpp"
#include "state/run_lock.hpp"
#include "storage/storage.hpp"
#include "template/create.hpp"
#include "template/remove_tree.hpp"

namespace kiste::tmpl {

namespace {

bool exists(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

bool at_or_below(const std::string& p, const std::string& dir) {
    return p == dir || (p.size() > dir.size() && p.starts_with(dir) && p[dir.size()] == '/');
}

// The path with its parent canonicalised and the last component kept as is
// (a symlinked rootfs is removed as a link, not followed). Empty when the
// parent does not exist.
std::string canonical_parent(const std::string& path) {
    std::string p = path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    auto slash = p.rfind('/');
    if (slash == std::string::npos) return {};
    std::string parent = slash == 0 ? "/" : p.substr(0, slash);
    char real[PATH_MAX];
    if (::realpath(parent.c_str(), real) == nullptr) return {};
    std::string out = real;
    return (out == "/" ? "" : out) + p.substr(slash);
}

Result<state::NameLock> lock_for_removal(const state::ContainerPaths& paths, bool partial) {
    // A monitor that was just told to stop may take a moment to exit.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        auto lock = state::NameLock::acquire(paths.run_root(), paths.name);
        if (lock || lock.error().code() != EBUSY) return lock;
        if (std::chrono::steady_clock::now() >= deadline)
            return fail(Error::msg(fmt::format("container {} is busy ({}): try again", paths.name,
                                               partial ? "being created" : "still running")));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

// The rootfs destroy removes besides the container directory: empty when
// there is none to remove.
Result<std::string> external_rootfs(const state::ContainerPaths& paths, Logger& log) {
    if (!exists(paths.config())) return std::string();
    auto cfg = lxc::load_file(paths.config());
    if (!cfg) {
        log.warn("{}: {}; removing only {}", paths.config(), cfg.error().message(), paths.dir());
        return std::string();
    }
    const RootfsSource& source = cfg->spec.rootfs.source;
    if (source.kind == RootfsSource::Kind::None) return std::string();
    auto dir = storage::root_directory(source);
    if (!dir) {
        log.warn("the rootfs {} is left alone: {}", cfg->rootfs_path, dir.error().root());
        return std::string();
    }
    const std::string& path = *dir;
    const std::string real_dir = canonical_parent(paths.dir());
    const std::string rootfs = canonical_parent(path);
    if (rootfs.empty() || !exists(rootfs)) return std::string();
    const bool inside = at_or_below(rootfs, real_dir);
    if (!cfg->spec.rootfs.managed) {
        if (inside)
            return fail(
                "lxc.rootfs.managed = 0, but the rootfs {} lies inside the container directory "
                "{}: move it out first (or set lxc.rootfs.managed = 1)",
                rootfs, paths.dir());
        log.info("keeping the rootfs {} (lxc.rootfs.managed = 0)", rootfs);
        return std::string();
    }
    if (inside) return std::string();
    // Never a directory that holds containers (or everything).
    const std::string real_lxcpath = canonical_parent(paths.lxcpath);
    if (rootfs == "/" || rootfs.empty() || at_or_below(real_lxcpath, rootfs))
        return fail("refusing to remove the rootfs {}: it holds the container path {}", rootfs,
                    paths.lxcpath);
    return rootfs;
}

// The config's destroy hooks, with the container's name and rootfs.
Status run_destroy_hooks(const state::ContainerPaths& paths, Logger& log) {
    if (!exists(paths.config())) return {};
    auto cfg = lxc::load_file(paths.config());
    if (!cfg || !cfg->hooks.contains("destroy")) return {};
    ContainerSpec spec = KISTE_TRY(lxc::to_spec(*cfg, lxc::Purpose::Start));
    spec.name = paths.name;
    return hooks::run_destroy_hooks(spec, log);
}

// A container without a definition that has a record: a `kiste execute`
// (running, or what a killed one left). Destroying it is stopping it (-f)
// and removing what its record names.
Status destroy_record_only(const state::ContainerPaths& given, const DestroyOptions& opt,
                           Logger& log) {
    const state::Observed seen = state::observe(given);
    if (!seen.recorded)
        return fail(Error::msg(
            fmt::format("container {} does not exist in {}", given.name, given.lxcpath)));
    if (seen.state != state::State::Stopped) {
        if (!opt.force)
            return fail(Error::msg(fmt::format(
                "container {} is {} (started by kiste execute): stop it first (kiste stop "
                "{}), or use kiste destroy -f",
                given.name, state::state_name(seen.state), given.name)));
        KISTE_TRY_CTX(
            manager::stop(given, {.timeout_seconds = opt.stop_timeout, .kill = false}, log),
            "stopping {} before destroying it", given.name);
    }
    KISTE_TRY_CTX(manager::cleanup_stale(given, log), "cleaning up after {}", given.name);
    log.info("destroyed container {} (it had no definition, only a run record)", given.name);
    return {};
}

}  // namespace

Status destroy(const state::ContainerPaths& given, const DestroyOptions& opt, Logger& log) {
    const state::ContainerPaths paths{absolute_lxcpath(given.lxcpath), given.name};
    KISTE_TRY(state::validate_name(paths.name));
    if (!exists(paths.dir())) return destroy_record_only(given, opt, log);
    const bool partial = exists(paths.dir() + "/partial");
    if (!exists(paths.config()) && !partial)
        return fail("{} holds no container (no config): not removing it", paths.dir());

    // State, lock and stop go by -P as given, as the other verbs do (the run
    // directory is keyed by that string); files by the absolute path.
    const state::Observed seen = state::observe(given);
    if (seen.state != state::State::Stopped) {
        if (!opt.force)
            return fail(
                Error::msg(fmt::format("container {} is {}: stop it first (kiste stop "
                                       "{}), or use kiste destroy -f",
                                       paths.name, state::state_name(seen.state), paths.name)));
        KISTE_TRY_CTX(
            manager::stop(given, {.timeout_seconds = opt.stop_timeout, .kill = false}, log),
            "stopping {} before destroying it", paths.name);
    }
    auto lock = KISTE_TRY(lock_for_removal(given, partial));
    KISTE_TRY_CTX(manager::cleanup_stale(given, log), "cleaning up after {}", paths.name);

    const std::string rootfs = KISTE_TRY(external_rootfs(paths, log));
    for (const std::string& p : {rootfs, paths.dir()}) {
        if (p.empty()) continue;
        auto mounts = KISTE_TRY(mounts_below_path(p));
        if (!mounts.empty()) {
            std::string list;
            for (const auto& m : mounts) list += (list.empty() ? "" : ", ") + m;
            return fail("not destroying {}: mounted below {}: {} (unmount first)", paths.name, p,
                        list);
        }
    }
    KISTE_TRY_CTX(run_destroy_hooks(paths, log), "destroying {}", paths.name);
    if (!rootfs.empty()) KISTE_TRY_CTX(remove_tree(rootfs), "destroying {}", paths.name);
    KISTE_TRY_CTX(remove_tree(paths.dir()), "destroying {}", paths.name);
    log.info("destroyed container {}", paths.name);
    return {};
}

}  // namespace kiste::tmpl
