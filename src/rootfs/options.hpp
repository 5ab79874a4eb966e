// Small parsers and formatters of the rootfs module: the rootfs directory,
// fstab-style mount options, container paths, MS_* flag names.
#pragma once

#include <string>
#include <string_view>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::rootfs {

// The host directory the container's root is made from, without a trailing
// slash; "" for none. A source whose kind has no storage backend yet fails
// by name ("rootfs kind loop is not supported yet").
Result<std::string> rootfs_directory(const RootfsConfig& rootfs);

// fstab mount options ("ro,nosuid,bind,mode=755,optional,create=dir"): the
// one table of option names, for lxc.mount.entry, lxc.mount.fstab and
// lxc.rootfs.options alike. MS_* flags and propagation by name (a later
// "rw" undoes an earlier "ro"; two propagation types are refused), LXC's
// optional, relative and create=dir|file; mount(8)'s own options (noauto,
// user, nofail, ...) are dropped; the rest is filesystem data.
struct MountOptions {
    unsigned long flags = 0;        // MS_* (MS_BIND, MS_REC, MS_RDONLY, ...)
    unsigned long propagation = 0;  // MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (| MS_REC)
    std::string data;               // the rest, comma-separated, for the filesystem
    bool optional = false;          // LXC's "optional"
    bool relative = false;          // LXC's "relative": the source is inside the rootfs
    MountEntry::Create create = MountEntry::Create::None;  // LXC's "create=dir|file"
};
Result<MountOptions> parse_mount_options(std::string_view options);

// A container path, relative to the container's root, lexically cleaned:
// no leading '/', no "." and no empty components, ".." clamped at the root
// (as the kernel's RESOLVE_IN_ROOT does). "" is the root itself. An absolute
// path that starts with `rootfs` (a legacy LXC mount target written as a host
// path into the rootfs) is taken relative to the rootfs.
std::string container_path(std::string_view path, std::string_view rootfs = {});

// "MS_BIND|MS_REC|MS_RDONLY" (unknown bits as hex); "0" for none.
std::string mount_flags_string(unsigned long flags);

}  // namespace kiste::rootfs
