// make_manager / open_manager: which implementation, and where.
#include <algorithm>
#include <set>

#include "cgroup/manager_impl.hpp"
#include "cgroup/private_mounts.hpp"

namespace kiste::cgroup {

namespace {

std::string join(const std::string& a, const std::string& b) {
    if (b.empty()) return a;
    return a.back() == '/' ? a + b : a + "/" + b;
}

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_controller_option(const std::string& o) {
    static const std::set<std::string, std::less<>> kKnown = {
        "cpu",      "cpuacct", "cpuset", "memory",  "devices",    "freezer", "net_cls",
        "net_prio", "blkio",   "pids",   "hugetlb", "perf_event", "rdma",    "misc"};
    return kKnown.contains(o) || o.starts_with("name=");
}

}  // namespace

Result<std::unique_ptr<Manager>> make_manager_for(const HostCgroups& host, const std::string& name,
                                                  const CgroupConfig& cfg, MkdirHook hook) {
    const auto p = KISTE_TRY(placement_for(name, cfg));
    std::vector<Slot> slots;
    for (auto h : host.hierarchies) {
        // Called from inside our own monitor cgroup: the container goes beside it.
        std::string base = base_outside_monitor(h.base, p);
        if (base.size() >= h.mountpoint.size()) h.base = base;
        Slot s;
        s.dir = join(h.base, p.container);
        s.inner = p.inner.empty() ? s.dir : join(s.dir, p.inner);
        s.rel = p.container;
        s.h = std::move(h);
        slots.push_back(std::move(s));
    }
    if (slots.empty()) return fail("no cgroup hierarchy to place container '{}' in", name);
    auto m = host.layout == Layout::V2 ? make_v2_manager(std::move(slots.front()), p.inner)
                                       : make_v1_manager(host.layout, std::move(slots), p.inner);
    if (hook) static_cast<ManagerBase&>(*m).set_mkdir_hook(std::move(hook));
    return m;
}

Result<std::unique_ptr<Manager>> make_manager(const std::string& name, const CgroupConfig& cfg) {
    KISTE_TRY_CTX(mount_private_hierarchies(cfg), "cgroups of container '{}'", name);
    auto host = KISTE_TRY(discover_host());
    return with_context(make_manager_for(host, name, cfg), "cgroups of container '{}'", name);
}

Result<std::unique_ptr<Manager>> open_manager_for(const std::vector<CgroupMount>& mounts,
                                                  const std::vector<std::string>& recorded) {
    std::vector<Slot> slots;
    std::string inner_rel;
    for (const auto& path : recorded) {
        if (path.empty() || path.front() != '/')
            return fail("recorded cgroup path '{}' is not absolute", path);
        const CgroupMount* m = mount_of(mounts, path);
        if (m == nullptr)
            return fail("recorded cgroup path {} is not on a cgroup filesystem", path);
        // An inner dir follows its outer one in the record (paths()).
        auto outer = std::find_if(slots.begin(), slots.end(), [&](const Slot& s) {
            return path.starts_with(s.dir + "/") && s.h.mountpoint == m->mountpoint;
        });
        if (outer != slots.end()) {
            outer->inner = path;
            inner_rel = path.substr(outer->dir.size() + 1);
            continue;
        }
        if (!dir_exists(path)) continue;  // already removed (a half-done cleanup)
        Slot s;
        s.h.v2 = m->v2;
        s.h.mountpoint = m->mountpoint;
        if (!m->v2)
            for (const auto& o : m->super_opts)
                if (is_controller_option(o)) s.h.controllers.push_back(o);
        s.h.base = parent_of(path);
        s.rel = base_name(path);
        s.dir = s.inner = path;
        slots.push_back(std::move(s));
    }
    if (slots.empty()) return fail("the container's cgroups are gone");
    const bool all_v2 =
        std::all_of(slots.begin(), slots.end(), [](const Slot& s) { return s.h.v2; });
    if (all_v2) {
        if (slots.size() != 1) return fail("more than one recorded cgroup on cgroup v2");
        return make_v2_manager(std::move(slots.front()), inner_rel);
    }
    const bool any_v2 =
        std::any_of(slots.begin(), slots.end(), [](const Slot& s) { return s.h.v2; });
    return make_v1_manager(any_v2 ? Layout::Hybrid : Layout::V1, std::move(slots), inner_rel);
}

Result<std::unique_ptr<Manager>> open_manager(const std::vector<std::string>& recorded_paths) {
    if (recorded_paths.empty()) return fail("no cgroup paths were recorded for the container");
    auto mi = KISTE_TRY(read_text("/proc/self/mountinfo"));
    return open_manager_for(parse_mountinfo(mi), recorded_paths);
}

}  // namespace kiste::cgroup
