// /dev of a container with a rootfs (lxc.autodev): a small tmpfs with the
// standard nodes, a private devpts, /dev/shm, /dev/mqueue and the usual
// links. /dev/core -> /proc/kcore is deliberately not created.
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <array>

#include "rootfs/options.hpp"
#include "rootfs/rootfs.hpp"

namespace kiste::rootfs {

namespace {

struct StdNode {
    const char* name;
    unsigned major, minor;
};
constexpr std::array<StdNode, 6> kStdNodes = {{
    {"null", 1, 3},
    {"zero", 1, 5},
    {"full", 1, 7},
    {"random", 1, 8},
    {"urandom", 1, 9},
    {"tty", 5, 0},
}};

constexpr std::array<std::pair<const char*, const char*>, 4> kLinks = {{
    {"dev/fd", "/proc/self/fd"},
    {"dev/stdin", "/proc/self/fd/0"},
    {"dev/stdout", "/proc/self/fd/1"},
    {"dev/stderr", "/proc/self/fd/2"},
}};

// The devpts gid=5 option names the tty group; inside a user namespace
// that gid must be mapped or the mount fails.
bool tty_gid_mapped(const ContainerSpec& spec, const Options& opt) {
    if (!opt.in_user_ns) return true;
    for (const IdMapping& m : spec.gid_map)
        if (m.container_id <= 5 && 5 - m.container_id < m.count) return true;
    return false;
}

MountOp mknod_op(std::string target, mode_t mode, dev_t dev) {
    MountOp op{.kind = OpKind::Mknod, .target = std::move(target)};
    op.mode = mode;
    op.dev = dev;
    return op;
}

}  // namespace

void append_dev_ops(const ContainerSpec& spec, const Options& opt, std::vector<MountOp>& ops) {
    ops.push_back(MountOp{.kind = OpKind::Mount,
                          .source = "tmpfs",
                          .target = "dev",
                          .fstype = "tmpfs",
                          .flags = MS_NOSUID | MS_NOEXEC,
                          .data = "mode=755,size=65536k",
                          .create = MountEntry::Create::Dir});
    for (const StdNode& n : kStdNodes) {
        std::string target = std::string("dev/") + n.name;
        if (opt.in_user_ns) {
            ops.push_back(MountOp{.kind = OpKind::BindDevice,
                                  .source = std::string("/dev/") + n.name,
                                  .target = target});
        } else {
            ops.push_back(mknod_op(target, S_IFCHR | 0666, makedev(n.major, n.minor)));
        }
    }

    std::string pts = "newinstance,ptmxmode=0666,mode=0620";
    if (tty_gid_mapped(spec, opt)) pts += ",gid=5";
    if (spec.dev.pty_max > 0) pts += fmt::format(",max={}", spec.dev.pty_max);
    ops.push_back(MountOp{.kind = OpKind::Mount,
                          .source = "devpts",
                          .target = "dev/pts",
                          .fstype = "devpts",
                          .flags = MS_NOSUID | MS_NOEXEC,
                          .data = pts,
                          .create = MountEntry::Create::Dir});
    ops.push_back(MountOp{.kind = OpKind::Symlink, .source = "pts/ptmx", .target = "dev/ptmx"});
    ops.push_back(MountOp{.kind = OpKind::Mount,
                          .source = "tmpfs",
                          .target = "dev/shm",
                          .fstype = "tmpfs",
                          .flags = MS_NOSUID | MS_NODEV,
                          .data = "mode=1777",
                          .create = MountEntry::Create::Dir});
    if (spec.ns_new(NsKind::Ipc)) {
        ops.push_back(MountOp{.kind = OpKind::Mount,
                              .source = "mqueue",
                              .target = "dev/mqueue",
                              .fstype = "mqueue",
                              .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC,
                              .optional = true,
                              .create = MountEntry::Create::Dir});
    }
    for (const auto& [link, to] : kLinks)
        ops.push_back(MountOp{.kind = OpKind::Symlink, .source = to, .target = link});

    if (opt.console_fd >= 0) {
        ops.push_back(MountOp{.kind = OpKind::Mount,
                              .source = fmt::format("/proc/self/fd/{}", opt.console_fd),
                              .target = "dev/console",
                              .flags = MS_BIND,
                              .create = MountEntry::Create::File});
        // Legacy lxc.kmsg: the container's kernel log writes go to its console.
        if (spec.dev.kmsg)
            ops.push_back(
                MountOp{.kind = OpKind::Symlink, .source = "console", .target = "dev/kmsg"});
    }
}

void append_extra_dev_ops(const ContainerSpec& spec, const Options& opt,
                          std::vector<MountOp>& ops) {
    for (const DeviceNode& d : spec.dev.extra) {
        std::string target = container_path(d.path);
        const mode_t perm = d.mode & 07777;
        if (d.type == 'p') {
            MountOp op = mknod_op(target, S_IFIFO | perm, 0);
            op.uid = d.uid;
            op.gid = d.gid;
            ops.push_back(op);
        } else if (opt.in_user_ns) {
            // The host's node of the same path; its owner and mode stay the host's.
            ops.push_back(
                MountOp{.kind = OpKind::BindDevice, .source = "/" + target, .target = target});
        } else {
            const mode_t type = d.type == 'b' ? S_IFBLK : S_IFCHR;
            MountOp op =
                mknod_op(target, type | perm,
                         makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor)));
            op.uid = d.uid;
            op.gid = d.gid;
            ops.push_back(op);
        }
    }
}

}  // namespace kiste::rootfs
