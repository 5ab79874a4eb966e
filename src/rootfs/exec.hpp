// Internal: the executors of the plan's ops, one function per OpKind.
#pragma once

#include "base/log.hpp"
#include "base/sys.hpp"
#include "rootfs/plan.hpp"
#include "rootfs/rootfs.hpp"

namespace kiste::rootfs {

struct ExecContext {
    Sys& sys;
    Logger& log;
    const Options& opt;
    UniqueFd root;  // O_PATH fd of the container's root
};

// mount(2) takes NULL for "no source / no fstype / no data".
inline const char* cstr_or_null(const std::string& s) {
    return s.empty() ? nullptr : s.c_str();
}

// The per-mount flags a bind remount must repeat (a user namespace locks
// them, and anything not repeated would be cleared), unless `asked` sets
// atime flags of its own.
Result<unsigned long> kept_flags(Sys& sys, int fd, unsigned long asked);

Status run_mount(ExecContext& c, const MountOp& op);
Status run_bind_rootfs(ExecContext& c, const MountOp& op);
Status run_mknod(ExecContext& c, const MountOp& op);
Status run_bind_device(ExecContext& c, const MountOp& op);
Status run_symlink(ExecContext& c, const MountOp& op);
Status run_mask(ExecContext& c, const MountOp& op);
Status run_pivot_root(ExecContext& c, const MountOp& op);
Status run_remount_root_readonly(ExecContext& c, const MountOp& op);

}  // namespace kiste::rootfs
