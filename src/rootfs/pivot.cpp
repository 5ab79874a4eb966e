// Switching into the rootfs: pivot_root(".", ".") stacks the old root on
// the new one, and umount2(".", MNT_DETACH) removes it, with no put_old
// directory in the rootfs. / was made private (or slave) first, so the
// detach does not propagate to the host.
#include <sys/mount.h>

#include <cerrno>

#include "rootfs/exec.hpp"

namespace kiste::rootfs {

namespace {

// pivot_root refuses (EINVAL) where the current root cannot be moved, e.g.
// when the host runs from the initramfs ("rootfs"). Then move the rootfs
// over / and chroot into it, as switch_root does. The old root stays below
// and a process keeping CAP_SYS_CHROOT could reach it: hence the warning.
Status chroot_fallback(ExecContext& c, const Error& why) {
    c.log.warn("pivot_root is impossible here ({}); falling back to chroot", why.message());
    if (auto st = c.sys.mount(".", "/", nullptr, MS_MOVE, nullptr); !st)
        c.log.warn("moving the rootfs over /: {}; chroot only", st.error().message());
    KISTE_TRY(c.sys.chroot("."));
    return c.sys.chdir("/");
}

}  // namespace

Status run_pivot_root(ExecContext& c, const MountOp& /*op*/) {
    if (!c.root.valid()) return fail("no rootfs to switch to");
    KISTE_TRY(c.sys.fchdir(c.root.get()));
    if (auto st = c.sys.pivot_root(".", "."); !st) {
        if (st.error().code() != EINVAL) return st;
        return chroot_fallback(c, st.error());
    }
    KISTE_TRY_CTX(c.sys.umount2(".", MNT_DETACH), "detaching the old root");
    return c.sys.chdir("/");
}

}  // namespace kiste::rootfs
