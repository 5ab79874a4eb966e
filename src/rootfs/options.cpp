#include "rootfs/options.hpp"

#include "storage/storage.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace kiste::rootfs {

namespace {

struct FlagName {
    std::string_view name;
    unsigned long set;    // bits the option sets
    unsigned long clear;  // bits the option clears
};

// The options mount(8) turns into MS_* flags (LXC's mount_opt table); every
// other option is filesystem data.
constexpr std::array<FlagName, 29> kFlagOptions = {{
    {"defaults", 0, 0},
    {"ro", MS_RDONLY, 0},
    {"rw", 0, MS_RDONLY},
    {"nosuid", MS_NOSUID, 0},
    {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},
    {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},
    {"exec", 0, MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS, 0},
    {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},
    {"remount", MS_REMOUNT, 0},
    {"mand", MS_MANDLOCK, 0},
    {"nomand", 0, MS_MANDLOCK},
    {"noatime", MS_NOATIME, 0},
    {"atime", 0, MS_NOATIME},
    {"nodiratime", MS_NODIRATIME, 0},
    {"diratime", 0, MS_NODIRATIME},
    {"relatime", MS_RELATIME, 0},
    {"norelatime", 0, MS_RELATIME},
    {"strictatime", MS_STRICTATIME, 0},
    {"nostrictatime", 0, MS_STRICTATIME},
    {"lazytime", MS_LAZYTIME, 0},
    {"silent", MS_SILENT, 0},
    {"iversion", MS_I_VERSION, 0},
    {"noiversion", 0, MS_I_VERSION},
    {"bind", MS_BIND, 0},
    {"rbind", MS_BIND | MS_REC, 0},
}};

// LXC's propagation_opt table.
constexpr std::array<std::pair<std::string_view, unsigned long>, 8> kPropagation = {{
    {"private", MS_PRIVATE},
    {"rprivate", MS_PRIVATE | MS_REC},
    {"slave", MS_SLAVE},
    {"rslave", MS_SLAVE | MS_REC},
    {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC},
    {"unbindable", MS_UNBINDABLE},
    {"runbindable", MS_UNBINDABLE | MS_REC},
}};

// fstab(5)/mount(8) options that only matter to mount(8) itself: never
// passed to the kernel, which would refuse them as filesystem data.
constexpr std::array<std::string_view, 9> kUserspaceOnly = {
    "auto", "noauto", "user", "nouser", "users", "_netdev", "nofail", "owner", "group"};

constexpr std::array<std::pair<unsigned long, std::string_view>, 20> kFlagNames = {{
    {MS_RDONLY, "MS_RDONLY"},
    {MS_NOSUID, "MS_NOSUID"},
    {MS_NODEV, "MS_NODEV"},
    {MS_NOEXEC, "MS_NOEXEC"},
    {MS_SYNCHRONOUS, "MS_SYNCHRONOUS"},
    {MS_REMOUNT, "MS_REMOUNT"},
    {MS_MANDLOCK, "MS_MANDLOCK"},
    {MS_DIRSYNC, "MS_DIRSYNC"},
    {MS_NOATIME, "MS_NOATIME"},
    {MS_NODIRATIME, "MS_NODIRATIME"},
    {MS_BIND, "MS_BIND"},
    {MS_MOVE, "MS_MOVE"},
    {MS_REC, "MS_REC"},
    {MS_SILENT, "MS_SILENT"},
    {MS_UNBINDABLE, "MS_UNBINDABLE"},
    {MS_PRIVATE, "MS_PRIVATE"},
    {MS_SLAVE, "MS_SLAVE"},
    {MS_SHARED, "MS_SHARED"},
    {MS_RELATIME, "MS_RELATIME"},
    {MS_STRICTATIME, "MS_STRICTATIME"},
}};

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(sep, start);
        if (end == std::string_view::npos) end = s.size();
        out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

Result<std::string> rootfs_directory(const RootfsConfig& rootfs) {
    if (rootfs.path.empty()) {
        if (rootfs.source.kind == RootfsSource::Kind::None) return std::string();
        return storage::root_directory(rootfs.source);
    }
    if (rootfs.path.front() != '/') return fail("rootfs {}: not an absolute path", rootfs.path);
    std::string path = rootfs.path;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path;
}

Result<MountOptions> parse_mount_options(std::string_view options) {
    MountOptions out;
    std::string_view propagation_name;
    for (std::string_view raw : split(options, ',')) {
        std::string_view opt = trim(raw);
        if (opt.empty()) continue;
        if (opt == "optional") {
            out.optional = true;
            continue;
        }
        if (opt == "relative") {
            out.relative = true;
            continue;
        }
        if (opt.starts_with("create=")) {
            std::string_view kind = opt.substr(7);
            if (kind == "dir") {
                out.create = MountEntry::Create::Dir;
            } else if (kind == "file") {
                out.create = MountEntry::Create::File;
            } else {
                return fail("unknown option '{}' (expected create=dir or create=file)", opt);
            }
            continue;
        }
        auto flag = std::find_if(kFlagOptions.begin(), kFlagOptions.end(),
                                 [&](const FlagName& f) { return f.name == opt; });
        if (flag != kFlagOptions.end()) {
            out.flags = (out.flags | flag->set) & ~flag->clear;
            continue;
        }
        auto prop = std::find_if(kPropagation.begin(), kPropagation.end(),
                                 [&](const auto& p) { return p.first == opt; });
        if (prop != kPropagation.end()) {
            // The kernel takes one propagation type per mount call.
            if (out.propagation != 0 && out.propagation != prop->second)
                return fail("mount options {} and {} ask for two propagation types",
                            propagation_name, opt);
            out.propagation = prop->second;
            propagation_name = opt;
            continue;
        }
        if (std::find(kUserspaceOnly.begin(), kUserspaceOnly.end(), opt) != kUserspaceOnly.end())
            continue;
        if (!out.data.empty()) out.data += ',';
        out.data += opt;
    }
    return out;
}

std::string container_path(std::string_view path, std::string_view rootfs) {
    while (rootfs.size() > 1 && rootfs.back() == '/') rootfs.remove_suffix(1);
    if (rootfs.size() > 1 && path.starts_with(rootfs) &&
        (path.size() == rootfs.size() || path[rootfs.size()] == '/'))
        path.remove_prefix(rootfs.size());
    std::vector<std::string_view> parts;
    for (std::string_view c : split(path, '/')) {
        if (c.empty() || c == ".") continue;
        if (c == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(c);
    }
    std::string out;
    for (std::string_view c : parts) {
        if (!out.empty()) out += '/';
        out += c;
    }
    return out;
}

std::string mount_flags_string(unsigned long flags) {
    if (flags == 0) return "0";
    std::string out;
    for (const auto& [bit, name] : kFlagNames) {
        if ((flags & bit) == 0) continue;
        if (!out.empty()) out += '|';
        out += name;
        flags &= ~bit;
    }
    if (flags != 0) {
        if (!out.empty()) out += '|';
        out += fmt::format("{:#x}", flags);
    }
    return out;
}

}  // namespace kiste::rootfs
