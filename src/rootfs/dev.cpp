// /dev of a container with a rootfs (lxc.autodev): a small tmpfs with the
// standard nodes, a private devpts, /dev/shm, /dev/mqueue and the usual
// links. /dev/core -> /proc/kcore is deliberately not created.
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

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

// `host`: the host's node of the same device, bound instead where the
// device cgroup denies the mknod (see run_mknod).
MountOp mknod_op(std::string target, mode_t mode, dev_t dev, std::string host = {}) {
    MountOp op{.kind = OpKind::Mknod, .source = std::move(host), .target = std::move(target)};
    op.mode = mode;
    op.dev = dev;
    return op;
}

}  // namespace

// A terminal's path in our (copied) mount namespace. Binding the fd itself
// through /proc/self/fd fails with EINVAL: the devpts mount it was opened on
// belongs to the parent's mount namespace, its copy here has the same path.
static std::string tty_source(int fd) {
    char buf[256];
    std::string link = fmt::format("/proc/self/fd/{}", fd);
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n > 0 && std::string_view(buf, static_cast<size_t>(n)).starts_with("/dev/"))
        return std::string(buf, static_cast<size_t>(n));
    return link;
}

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
            ops.push_back(mknod_op(target, S_IFCHR | 0666, makedev(n.major, n.minor),
                                   std::string("/dev/") + n.name));
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
                              .source = tty_source(opt.console_fd),
                              .target = "dev/console",
                              .flags = MS_BIND,
                              .create = MountEntry::Create::File});
        // Legacy lxc.kmsg: the container's kernel log writes go to its console.
        if (spec.dev.kmsg)
            ops.push_back(
                MountOp{.kind = OpKind::Symlink, .source = "console", .target = "dev/kmsg"});
    }
    // The monitor's ttys (lxc.tty.max): /dev/ttyN, or /dev/DIR/ttyN with a
    // /dev/ttyN link when lxc.tty.dir is set, as LXC lays them out.
    for (size_t i = 0; i < opt.tty_fds.size(); ++i) {
        const std::string tty = fmt::format("tty{}", i + 1);
        const std::string where =
            spec.dev.tty_dir.empty() ? tty : fmt::format("{}/{}", spec.dev.tty_dir, tty);
        ops.push_back(MountOp{.kind = OpKind::Mount,
                              .source = tty_source(opt.tty_fds[i]),
                              .target = "dev/" + where,
                              .flags = MS_BIND,
                              .create = MountEntry::Create::File});
        if (!spec.dev.tty_dir.empty())
            ops.push_back(
                MountOp{.kind = OpKind::Symlink, .source = where, .target = "dev/" + tty});
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
                         makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor)),
                         "/" + target);
            op.uid = d.uid;
            op.gid = d.gid;
            ops.push_back(op);
        }
    }
}

}  // namespace kiste::rootfs
