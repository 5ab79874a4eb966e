#include "rootfs/cgroup_mounts.hpp"

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "cgroup/host.hpp"

namespace kiste::rootfs {

namespace {

constexpr unsigned long kSafe = MS_NOSUID | MS_NODEV | MS_NOEXEC;

std::string parent_dir(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

// name -> target of the symlinks in `dir` (the host's /sys/fs/cgroup).
std::vector<std::pair<std::string, std::string>> symlinks_in(const std::string& dir) {
    std::vector<std::pair<std::string, std::string>> out;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return out;
    while (dirent* e = ::readdir(d)) {
        if (e->d_type != DT_LNK) continue;
        char buf[256];
        std::string link = dir + "/" + e->d_name;
        ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
        if (n <= 0) continue;
        out.emplace_back(e->d_name, std::string(buf, static_cast<size_t>(n)));
    }
    ::closedir(d);
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

}  // namespace

Result<CgroupTree> cgroup_tree_from(std::string_view mountinfo, std::string_view proc_cgroup,
                                    const std::vector<std::pair<std::string, std::string>>& links) {
    auto host = KISTE_TRY(cgroup::discover(mountinfo, proc_cgroup));
    CgroupTree t;
    t.pure_v2 = host.layout == cgroup::Layout::V2;
    const auto lines = cgroup::parse_proc_cgroup(proc_cgroup);
    t.own_namespace = !lines.empty() && std::all_of(lines.begin(), lines.end(),
                                                    [](const auto& l) { return l.path == "/"; });
    for (const auto& h : host.hierarchies) {
        CgroupTree::Hierarchy x;
        x.v2 = h.v2;
        x.dir = h.mount_name();
        if (!h.v2) {
            // A named hierarchy without controllers is mounted with "none".
            const bool named_only =
                std::all_of(h.controllers.begin(), h.controllers.end(),
                            [](const std::string& c) { return c.starts_with("name="); });
            x.options = (named_only ? "none," : "") + join(h.controllers);
        }
        t.hierarchies.push_back(std::move(x));
    }
    for (const auto& [name, target] : links) {
        const bool known = std::any_of(t.hierarchies.begin(), t.hierarchies.end(),
                                       [&](const auto& h) { return h.dir == target; });
        const bool clash = std::any_of(t.hierarchies.begin(), t.hierarchies.end(),
                                       [&](const auto& h) { return h.dir == name; });
        if (known && !clash) t.links.emplace_back(name, target);
    }
    return t;
}

Result<CgroupTree> host_cgroup_tree() {
    auto mi = KISTE_TRY(cgroup::read_text("/proc/self/mountinfo"));
    auto pc = KISTE_TRY(cgroup::read_text("/proc/self/cgroup"));
    // The symlinks live beside the v1 mounts (the host's /sys/fs/cgroup).
    std::vector<std::pair<std::string, std::string>> links;
    for (const auto& m : cgroup::parse_mountinfo(mi)) {
        if (m.v2) continue;
        links = symlinks_in(parent_dir(m.mountpoint));
        break;
    }
    return with_context(cgroup_tree_from(mi, pc, links), "finding the cgroups to mount");
}

Result<std::vector<MountOp>> cgroup_mount_ops(AutoMounts::Cgroup mode, const CgroupTree& tree,
                                              const std::string& target) {
    using C = AutoMounts::Cgroup;
    const bool full = mode == C::FullMixed || mode == C::FullRo || mode == C::FullRw;
    const bool ro = mode == C::Ro || mode == C::FullRo;
    const bool rw = mode == C::Rw || mode == C::FullRw;
    if (!tree.own_namespace && !full)
        return fail(
            "the cgroup tree: the container has no cgroup namespace of its own (kiste "
            "mounts its cgroups only through one; the host's full hierarchies can be mounted "
            "instead)");
    if (tree.hierarchies.empty()) return fail("the cgroup tree: no cgroup hierarchy found");
    const unsigned long flags = kSafe | (ro ? MS_RDONLY : 0);
    std::vector<MountOp> ops;
    auto mount = [&](std::string fs, std::string at, std::string data) {
        ops.push_back(MountOp{.kind = OpKind::Mount,
                              .source = fs,
                              .target = std::move(at),
                              .fstype = fs,
                              .flags = flags,
                              .data = std::move(data),
                              .create = MountEntry::Create::Dir});
    };
    if (tree.pure_v2) {
        mount("cgroup2", target, {});
        return ops;
    }
    ops.push_back(MountOp{.kind = OpKind::Mount,
                          .source = "tmpfs",
                          .target = target,
                          .fstype = "tmpfs",
                          .flags = kSafe,
                          .data = "mode=755,size=64k",
                          .create = MountEntry::Create::Dir});
    for (const auto& h : tree.hierarchies)
        mount(h.v2 ? "cgroup2" : "cgroup", target + "/" + h.dir, h.v2 ? std::string() : h.options);
    for (const auto& [name, to] : tree.links)
        ops.push_back(
            MountOp{.kind = OpKind::Symlink, .source = to, .target = target + "/" + name});
    // Nothing new may appear beside the hierarchies.
    if (!rw)
        ops.push_back(MountOp{.kind = OpKind::Mount,
                              .target = target,
                              .flags = MS_REMOUNT | MS_BIND | MS_RDONLY | kSafe});
    return ops;
}

}  // namespace kiste::rootfs
