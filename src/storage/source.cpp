// The kinds of rootfs sources, their lxc.rootfs.path syntax, and the table
// from kind to backend.
#include <array>
#include <utility>

#include "storage/storage.hpp"

namespace kiste::storage {

namespace {

struct KindName {
    Kind kind;
    std::string_view name;
};
// LXC's names; "overlayfs" is LXC's older spelling of "overlay".
constexpr std::array<KindName, 9> kKinds = {{
    {Kind::Dir, "dir"},
    {Kind::Overlay, "overlay"},
    {Kind::Overlay, "overlayfs"},
    {Kind::Loop, "loop"},
    {Kind::Btrfs, "btrfs"},
    {Kind::Zfs, "zfs"},
    {Kind::Lvm, "lvm"},
    {Kind::Rbd, "rbd"},
    {Kind::Nbd, "nbd"},
}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

Result<std::string> absolute(std::string_view p, std::string_view what) {
    if (p.empty() || p.front() != '/') return fail("{} '{}' is not an absolute path", what, p);
    std::string out(p);
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

}  // namespace

std::string_view kind_name(Kind kind) {
    for (const auto& k : kKinds)
        if (k.kind == kind) return k.name;
    return {};
}

Result<RootfsSource> parse_source(std::string_view text) {
    std::string_view v = trim(text);
    RootfsSource s;
    if (v.empty()) return s;
    if (v.front() == '/') {
        s.kind = Kind::Dir;
        s.path = KISTE_TRY(absolute(v, "the rootfs"));
        return s;
    }
    const size_t colon = v.find(':');
    const std::string_view name = v.substr(0, colon);
    const KindName* known = nullptr;
    for (const auto& k : kKinds)
        if (k.name == name) known = &k;
    if (colon == std::string_view::npos || known == nullptr) {
        if (colon != std::string_view::npos && v.find('/') > colon)
            return fail(
                "unknown rootfs kind '{}' (expected dir, overlay, loop, btrfs, zfs, lvm, "
                "rbd or nbd)",
                name);
        return fail("the rootfs '{}' is not an absolute path", v);
    }
    s.kind = known->kind;
    std::string_view rest = v.substr(colon + 1);
    switch (s.kind) {
        case Kind::Dir:
        case Kind::Btrfs:
        case Kind::Loop:
        case Kind::Lvm:
            s.path = KISTE_TRY(absolute(rest, fmt::format("the {} rootfs", name)));
            break;
        case Kind::Overlay: {
            // LOWER:UPPER, both directories.
            const size_t sep = rest.find(':');
            if (sep == std::string_view::npos)
                return fail("an overlay rootfs is {}:LOWER:UPPER (two directories)", name);
            s.path = KISTE_TRY(absolute(rest.substr(0, sep), "the overlay's lower directory"));
            s.options.push_back(
                KISTE_TRY(absolute(rest.substr(sep + 1), "the overlay's upper directory")));
            break;
        }
        case Kind::Nbd: {
            // FILE[:PARTITION]
            const size_t sep = rest.find(':');
            s.path = KISTE_TRY(absolute(rest.substr(0, sep), "the nbd image"));
            if (sep != std::string_view::npos) s.options.emplace_back(rest.substr(sep + 1));
            break;
        }
        case Kind::Zfs:
        case Kind::Rbd:
            if (rest.empty()) return fail("a {} rootfs needs a name after '{}:'", name, name);
            s.path = std::string(rest);
            break;
        case Kind::None: break;
    }
    return s;
}

std::string format_source(const RootfsSource& source) {
    if (source.kind == Kind::None) return {};
    std::string out = fmt::format("{}:{}", kind_name(source.kind), source.path);
    for (const auto& o : source.options) out += ":" + o;
    return out;
}

Result<const Ops*> ops_for(const RootfsSource& source) {
    switch (source.kind) {
        case Kind::None: return fail("no rootfs is configured");
        case Kind::Dir: return &dir_ops();
        default: break;
    }
    return fail("rootfs kind {} is not supported yet (only dir)", kind_name(source.kind));
}

Result<std::string> root_directory(const RootfsSource& source) {
    const Ops* ops = KISTE_TRY(ops_for(source));
    return ops->mount(source);
}

}  // namespace kiste::storage
