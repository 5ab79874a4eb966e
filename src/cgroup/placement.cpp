#include "cgroup/placement.hpp"

namespace kiste::cgroup {

namespace {

std::string trim_slashes(std::string s) {
    while (!s.empty() && s.front() == '/') s.erase(0, 1);
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

}  // namespace

Status check_relative(const std::string& path, const char* what) {
    if (path.empty()) return fail("{}: empty cgroup path", what);
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string part = path.substr(start, end - start);
        if (part.empty() || part == "." || part == "..")
            return fail("{}: invalid cgroup path '{}' (no empty, '.' or '..' components)", what,
                        path);
        start = end + 1;
    }
    return {};
}

Result<Placement> placement_for(const std::string& name, const CgroupConfig& cfg) {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
        return fail("invalid container name '{}' for a cgroup", name);
    Placement p;
    const std::string dir = trim_slashes(cfg.dir);
    const std::string dir_c = trim_slashes(cfg.dir_container);
    const std::string dir_m = trim_slashes(cfg.dir_monitor);
    if (!dir.empty() && (!dir_c.empty() || !dir_m.empty()))
        return fail(
            "a cgroup directory for both cannot be combined with separate container and "
            "monitor cgroups");
    if (dir_c.empty() != dir_m.empty())
        return fail("the container's and the monitor's cgroups must be given together");
    if (!dir_c.empty()) {
        KISTE_TRY(check_relative(dir_c, "the container's cgroup"));
        KISTE_TRY(check_relative(dir_m, "the monitor's cgroup"));
        if (dir_c == dir_m || dir_c.starts_with(dir_m + "/") || dir_m.starts_with(dir_c + "/"))
            return fail("the container's cgroup '{}' and the monitor's cgroup '{}' overlap", dir_c,
                        dir_m);
        p.container = dir_c;
        p.monitor = dir_m;
        p.inner = trim_slashes(cfg.dir_container_inner);
        if (!p.inner.empty()) KISTE_TRY(check_relative(p.inner, "the container's inner cgroup"));
        p.monitor_pivot = trim_slashes(cfg.dir_monitor_pivot);
        if (!p.monitor_pivot.empty()) {
            KISTE_TRY(check_relative(p.monitor_pivot, "the monitor's pivot cgroup"));
            if (p.monitor_pivot == dir_m || p.monitor_pivot.starts_with(dir_m + "/"))
                return fail("the monitor's pivot cgroup '{}' lies inside the monitor's cgroup",
                            p.monitor_pivot);
        }
        return p;
    }
    if (!dir.empty()) {
        KISTE_TRY(check_relative(dir, "the cgroup directory"));
        p.container = dir + "/" + name;
        p.monitor = dir + "/" + kMonitorDir + "." + name;
        p.monitor_pivot = dir;
        return p;
    }
    p.container = std::string(kPayloadDir) + "/" + name;
    p.monitor = std::string(kMonitorDir) + "/" + name;
    p.monitor_pivot = kMonitorDir;
    p.remove_empty_parent = true;
    return p;
}

std::string base_outside_monitor(const std::string& own, const Placement& p) {
    const std::string suffix = "/" + p.monitor;
    if (own.size() > suffix.size() && own.ends_with(suffix))
        return own.substr(0, own.size() - suffix.size());
    if (own == suffix) return "/";
    // The pivot: a monitor that already left its cgroup (default: kiste.monitor).
    const std::string pivot = "/" + p.monitor_pivot;
    if (!p.monitor_pivot.empty() && p.remove_empty_parent && own.ends_with(pivot))
        return own.size() == pivot.size() ? "/" : own.substr(0, own.size() - pivot.size());
    return own;
}

}  // namespace kiste::cgroup
