// to_spec, the file system part: the rootfs (its directory, options), the
// mount list (lxc.mount.fstab first, then lxc.mount.entry, as LXC mounts
// them) and lxc.mount.auto.
#include <sys/mount.h>

#include "config/lxc/fstab.hpp"
#include "config/lxc/keys.hpp"
#include "config/lxc/to_spec_parts.hpp"
#include "rootfs/options.hpp"
#include "storage/storage.hpp"

namespace kiste::lxc::detail {

namespace {

std::string strip_slashes(std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

// LXC accepts absolute targets that spell out the rootfs ("/var/lib/lxc/c/rootfs/proc");
// they mean the path inside the container, so they become relative.
void relativize_target(MountEntry& e, const std::string& rootfs) {
    if (rootfs.empty() || e.target.empty() || e.target.front() != '/') return;
    std::string root = strip_slashes(rootfs);
    if (root == "/") return;
    if (e.target == root) {
        e.target = std::string(1, '.');
    } else if (e.target.starts_with(root + "/")) {
        e.target = e.target.substr(root.size() + 1);
        while (!e.target.empty() && e.target.front() == '/') e.target.erase(0, 1);
    }
}

}  // namespace

Status resolve_rootfs(const LxcConfig& cfg, ContainerSpec& s) {
    // The directory the root is made from; a kind without a backend leaves
    // none (collect_unapplied reports it, and the runtime refuses it).
    s.rootfs.path.clear();
    if (auto dir = storage::root_directory(s.rootfs.source)) s.rootfs.path = std::move(*dir);
    if (!cfg.spec.rootfs.options.empty()) {
        auto opts = rootfs::parse_mount_options(cfg.spec.rootfs.options);
        if (!opts)
            return fail("lxc.rootfs.options ({}): {}", origin_of(cfg, "lxc.rootfs.options"),
                        opts.error().root());
        s.rootfs.readonly = (opts->flags & MS_RDONLY) != 0;
        if (opts->propagation) s.rootfs.propagation = opts->propagation;
    }
    return {};
}

Status resolve_mounts(const LxcConfig& cfg, ContainerSpec& s) {
    s.mounts.clear();
    if (!cfg.mount_fstab_resolved.empty()) {
        auto text = read_text_file(cfg.mount_fstab_resolved);
        if (!text) {
            Error e = text.error();
            std::string where = origin_of(cfg, "lxc.mount.fstab");
            return fail(Error(e.code(), fmt::format("{}{}lxc.mount.fstab: {}", where,
                                                    where.empty() ? "" : ": ", e.message(false))));
        }
        auto entries = KISTE_TRY(parse_fstab_text(*text, cfg.mount_fstab_resolved));
        for (auto& e : entries) s.mounts.push_back(std::move(e));
    }
    for (const auto& line : cfg.mount_entries) {
        auto e = parse_fstab_line(line.value, line.origin);
        if (!e) return fail("{}: lxc.mount.entry: {}", line.origin, e.error().root());
        s.mounts.push_back(std::move(*e));
    }
    for (auto& e : s.mounts) relativize_target(e, s.rootfs.path);
    return {};
}

Status resolve_auto_mounts(const LxcConfig& cfg, ContainerSpec& s) {
    using A = AutoMounts;
    A a;
    // "cgroup" without a mode: rw when the container keeps CAP_SYS_ADMIN, else mixed.
    const bool sys_admin =
        !s.security.caps || (s.security.caps->bounding & (uint64_t{1} << 21 /*CAP_SYS_ADMIN*/));
    for (const auto& token : cfg.mount_auto) {
        std::string_view t = token;
        if (t == "proc" || t == "proc:mixed")
            a.proc = A::Proc::Mixed;
        else if (t == "proc:rw")
            a.proc = A::Proc::Rw;
        else if (t == "sys" || t == "sys:mixed")
            a.sys = A::Sys::Mixed;
        else if (t == "sys:ro")
            a.sys = A::Sys::Ro;
        else if (t == "sys:rw")
            a.sys = A::Sys::Rw;
        else if (t.starts_with("shmounts:")) {
            auto parts = split_on(t.substr(9), ':');
            a.shmounts = true;
            a.shmounts_host = std::string(parts[0]);
            a.shmounts_container =
                parts.size() > 1 ? std::string(parts[1]) : std::string("/dev/.lxc-mounts");
        } else {
            const bool full = t.starts_with("cgroup-full");
            std::string_view rest = t.substr(full ? 11 : 6);
            a.cgroup_force = rest.ends_with(":force");
            if (a.cgroup_force) rest.remove_suffix(6);
            std::string_view mode = rest.empty() ? (sys_admin ? ":rw" : ":mixed") : rest;
            if (mode == ":mixed")
                a.cgroup = full ? A::Cgroup::FullMixed : A::Cgroup::Mixed;
            else if (mode == ":ro")
                a.cgroup = full ? A::Cgroup::FullRo : A::Cgroup::Ro;
            else
                a.cgroup = full ? A::Cgroup::FullRw : A::Cgroup::Rw;
        }
    }
    s.auto_mounts = a;
    return {};
}

}  // namespace kiste::lxc::detail
