// Mount, rootfs, /dev and console keys: mount.{fstab,entry,auto},
// rootfs.{path,mount,options,managed}, autodev, autodev.tmpfs.size,
// pty.max, tty.{max,dir}, console.*.
#include "config/lxc/fstab.hpp"
#include "config/lxc/keys.hpp"
#include "storage/storage.hpp"

namespace kiste::lxc::detail {

namespace {

// ---- lxc.mount.fstab: the path as written, plus where it really is (a
// relative path is taken relative to the file that sets it, like includes;
// LXC itself would open it relative to its working directory).
Status set_fstab(LxcConfig& c, const KeyCall& k, std::string_view v) {
    c.mount_fstab = std::string(v);
    c.mount_fstab_resolved = join_path(k.base_dir, v);
    return {};
}
Result<std::string> get_fstab(const LxcConfig& c, const KeyCall&) {
    return c.mount_fstab;
}
Status clear_fstab(LxcConfig& c, const KeyCall&) {
    c.mount_fstab.clear();
    c.mount_fstab_resolved.clear();
    return {};
}

// ---- lxc.mount.entry: checked now, turned into MountEntry by to_spec.
Status set_entry(LxcConfig& c, const KeyCall& k, std::string_view v) {
    if (v.empty()) {
        c.mount_entries.clear();
        return {};
    }
    KISTE_TRY(checked(parse_fstab_line(v, k.origin), v));
    c.mount_entries.push_back({std::string(v), std::string(k.origin)});
    return {};
}
Result<std::string> get_entry(const LxcConfig& c, const KeyCall&) {
    std::vector<std::string> lines;
    for (const auto& e : c.mount_entries) lines.push_back(e.value);
    return join_lines(lines);
}
Status clear_entry(LxcConfig& c, const KeyCall&) {
    c.mount_entries.clear();
    return {};
}

// ---- lxc.mount.auto: tokens appended; an empty value clears.
Status set_auto(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (v.empty()) {
        c.mount_auto.clear();
        return {};
    }
    auto tokens = split_blanks(v);
    for (auto t : tokens)
        if (auto st = check_mount_auto_token(t); !st) return invalid(v, st.error().root());
    for (auto t : tokens) c.mount_auto.emplace_back(t);
    return {};
}
Result<std::string> get_auto(const LxcConfig& c, const KeyCall&) {
    std::string out;
    for (const auto& t : c.mount_auto) out += (out.empty() ? "" : " ") + t;
    return out;
}
constexpr auto kMountAuto = [](auto& c) -> auto& {
    return c.mount_auto;
};

constexpr auto kRootfsMount = [](auto& c) -> auto& {
    return c.spec.rootfs.mount;
};
constexpr auto kRootfsOptions = [](auto& c) -> auto& {
    return c.spec.rootfs.options;
};
constexpr auto kRootfsManaged = [](auto& c) -> auto& {
    return c.spec.rootfs.managed;
};
constexpr auto kAutodev = [](auto& c) -> auto& {
    return c.spec.dev.autodev;
};
constexpr auto kAutodevSize = [](auto& c) -> auto& {
    return c.autodev_tmpfs_size;
};
constexpr auto kPtyMax = [](auto& c) -> auto& {
    return c.spec.dev.pty_max;
};
constexpr auto kTtyMax = [](auto& c) -> auto& {
    return c.spec.dev.tty_max;
};
constexpr auto kTtyDir = [](auto& c) -> auto& {
    return c.spec.dev.tty_dir;
};
constexpr auto kConsolePath = [](auto& c) -> auto& {
    return c.spec.console.path;
};
constexpr auto kConsoleLog = [](auto& c) -> auto& {
    return c.spec.console.logfile;
};
constexpr auto kConsoleRotate = [](auto& c) -> auto& {
    return c.spec.console.rotate;
};
constexpr auto kConsoleBuffer = [](auto& c) -> auto& {
    return c.spec.console.buffer_size;
};
constexpr auto kConsoleSize = [](auto& c) -> auto& {
    return c.spec.console.size;
};

// lxc.tty.dir is a directory name under /dev.
struct TtyDirCodec {
    static Result<std::string> parse(std::string_view v) {
        if (v.front() == '/' || v.find("..") != std::string_view::npos)
            return fail("expected a directory name under /dev (e.g. lxc)");
        return std::string(v);
    }
    static std::string format(const std::string& s) { return s; }
};

// lxc.rootfs.path: "dir:PATH", a bare path, or another LXC backend
// ("overlay:...", "loop:...", "nbd:..."), parsed here into the typed source;
// a kind without a backend is reported by the command that needs it.
Status set_rootfs_path(LxcConfig& c, const KeyCall&, std::string_view v) {
    auto source = storage::parse_source(v);
    if (!source) return invalid(v, source.error().root());
    c.spec.rootfs.source = std::move(*source);
    c.rootfs_path = c.spec.rootfs.source.kind == RootfsSource::Kind::None ? "" : std::string(v);
    return {};
}
Result<std::string> get_rootfs_path(const LxcConfig& c, const KeyCall&) {
    return c.rootfs_path;
}
Status clear_rootfs_path(LxcConfig& c, const KeyCall&) {
    c.spec.rootfs.source = {};
    c.rootfs_path.clear();
    return {};
}

constexpr KeyDef kKeys[] = {
    KeyDef{.name = "lxc.mount.fstab", .set = set_fstab, .get = get_fstab, .clear = clear_fstab},
    KeyDef{.name = "lxc.mount.entry", .set = set_entry, .get = get_entry, .clear = clear_entry},
    KeyDef{.name = "lxc.mount.auto",
           .set = set_auto,
           .get = get_auto,
           .clear = list_clear<kMountAuto>},
    KeyDef{.name = "lxc.rootfs.path",
           .set = set_rootfs_path,
           .get = get_rootfs_path,
           .clear = clear_rootfs_path},
    scalar<StrCodec, kRootfsMount>("lxc.rootfs.mount"),
    scalar<StrCodec, kRootfsOptions>("lxc.rootfs.options"),
    scalar<BoolCodec, kRootfsManaged>("lxc.rootfs.managed"),
    scalar<BoolCodec, kAutodev>("lxc.autodev"),
    scalar<OptCodec<U64Codec>, kAutodevSize>("lxc.autodev.tmpfs.size"),
    scalar<U32Codec, kPtyMax>("lxc.pty.max"),
    scalar<U32Codec, kTtyMax>("lxc.tty.max"),
    scalar<TtyDirCodec, kTtyDir>("lxc.tty.dir"),
    scalar<StrCodec, kConsolePath>("lxc.console.path"),
    scalar<StrCodec, kConsoleLog>("lxc.console.logfile"),
    scalar<BoolCodec, kConsoleRotate>("lxc.console.rotate"),
    scalar<ConsoleSizeCodec, kConsoleBuffer>("lxc.console.buffer.size"),
    scalar<ConsoleSizeCodec, kConsoleSize>("lxc.console.size"),
};

}  // namespace

std::span<const KeyDef> mount_keys() {
    return kKeys;
}

}  // namespace kiste::lxc::detail
