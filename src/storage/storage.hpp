// Backing stores of a container's root file system, shaped like LXC's
// storage ops (src/lxc/storage/storage.h): a table of kinds, and per kind an
// ops table with one file per backend. `dir` is the backend kiste has; the
// other kinds LXC knows are parsed and named, and refused by name until their
// backend is written (overlay, loop, btrfs, ...).
#pragma once

#include <string>
#include <string_view>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::storage {

using Kind = RootfsSource::Kind;

// "dir", "overlay", "loop", "btrfs", "zfs", "lvm", "rbd", "nbd" ("" for None).
std::string_view kind_name(Kind kind);

// lxc.rootfs.path as LXC writes it: "dir:/x" or a bare "/x", "overlay:LOWER:UPPER"
// (also "overlayfs:"), "loop:FILE", "btrfs:/x", "zfs:POOL/DATASET", "lvm:DEVICE",
// "rbd:POOL/IMAGE", "nbd:FILE[:PARTITION]". "" is no rootfs. Paths are
// absolute (zfs and rbd name objects, not paths) and lose a trailing '/'.
Result<RootfsSource> parse_source(std::string_view text);
// Back into that syntax ("dir:/x" for a directory).
std::string format_source(const RootfsSource& source);

// What a backend does (LXC's storage ops, the part kiste needs so far).
struct Ops {
    Kind kind;
    // Whether the source is there as this kind expects (dir: a directory).
    bool (*detect)(const RootfsSource& source);
    // The host directory the container's root is made from; a backend that
    // must mount something first does it here (dir: the directory itself).
    Result<std::string> (*mount)(const RootfsSource& source);
};

// The backend of a kind; fails for a kind without one ("rootfs kind loop is
// not supported yet") and for None.
Result<const Ops*> ops_for(const RootfsSource& source);

// ops_for(source)->mount(source): the directory the root is made from.
Result<std::string> root_directory(const RootfsSource& source);

// The backends (one file each).
const Ops& dir_ops();

}  // namespace kiste::storage
