#include "cgroup/host.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/octal_escape.hpp"
#include "base/unique_fd.hpp"

namespace kiste::cgroup {

namespace {

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(sep, start);
        if (end == std::string_view::npos) end = s.size();
        out.emplace_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string join_path(const std::string& a, std::string_view b) {
    while (!b.empty() && b.front() == '/') b.remove_prefix(1);
    if (b.empty()) return a;
    if (!a.empty() && a.back() == '/') return a + std::string(b);
    return a + "/" + std::string(b);
}

}  // namespace

const char* layout_name(Layout l) {
    switch (l) {
        case Layout::V1: return "v1";
        case Layout::Hybrid: return "hybrid";
        case Layout::V2: return "v2";
    }
    return "?";
}

std::vector<CgroupMount> parse_mountinfo(std::string_view text) {
    std::vector<CgroupMount> out;
    for (const auto& line : split(text, '\n')) {
        if (line.empty()) continue;
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
        auto fields = split(line, ' ');
        auto dash = std::find(fields.begin(), fields.end(), "-");
        if (fields.size() < 6 || dash == fields.end() || std::distance(dash, fields.end()) < 4)
            continue;
        const std::string& fstype = *(dash + 1);
        if (fstype != "cgroup" && fstype != "cgroup2") continue;
        CgroupMount m;
        m.v2 = fstype == "cgroup2";
        m.root = unescape_octal(fields[3]);
        m.mountpoint = unescape_octal(fields[4]);
        m.super_opts = split(*(dash + 3), ',');
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<ProcCgroup> parse_proc_cgroup(std::string_view text) {
    std::vector<ProcCgroup> out;
    for (const auto& line : split(text, '\n')) {
        if (line.empty()) continue;
        size_t c1 = line.find(':');
        size_t c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
        if (c2 == std::string::npos) continue;
        ProcCgroup pc;
        pc.id = std::atoi(line.substr(0, c1).c_str());
        std::string ctrls = line.substr(c1 + 1, c2 - c1 - 1);
        if (!ctrls.empty()) pc.controllers = split(ctrls, ',');
        pc.path = line.substr(c2 + 1);
        out.push_back(std::move(pc));
    }
    return out;
}

Result<Layout> layout_of(const std::vector<CgroupMount>& mounts) {
    bool v2 = false, v1_controllers = false;
    for (const auto& m : mounts) {
        if (m.v2) {
            v2 = true;
            continue;
        }
        // A v1 hierarchy with only name=X (systemd's) controls nothing.
        bool real = std::any_of(m.super_opts.begin(), m.super_opts.end(), [](const auto& o) {
            static const std::set<std::string, std::less<>> kControllers = {
                "cpu",      "cpuacct", "cpuset", "memory",  "devices",    "freezer", "net_cls",
                "net_prio", "blkio",   "pids",   "hugetlb", "perf_event", "rdma",    "misc"};
            return kControllers.contains(o);
        });
        v1_controllers = v1_controllers || real;
    }
    if (v1_controllers) return v2 ? Layout::Hybrid : Layout::V1;
    if (v2) return Layout::V2;
    return fail("no cgroup filesystem is mounted (see /proc/self/mountinfo)");
}

bool Hierarchy::has(std::string_view controller) const {
    return std::find(controllers.begin(), controllers.end(), controller) != controllers.end();
}

std::string Hierarchy::mount_name() const {
    auto slash = mountpoint.rfind('/');
    return slash == std::string::npos ? mountpoint : mountpoint.substr(slash + 1);
}

Result<HostCgroups> discover(std::string_view mountinfo, std::string_view proc_cgroup) {
    auto mounts = parse_mountinfo(mountinfo);
    HostCgroups host;
    host.layout = KISTE_TRY(layout_of(mounts));
    auto lines = parse_proc_cgroup(proc_cgroup);

    // A path of /proc/self/cgroup is relative to our cgroup namespace's root,
    // which is the mount's root when the hierarchy was mounted inside it; a
    // host mount of a bigger subtree shows that subtree as its root.
    auto dir_of = [](const CgroupMount& m, const std::string& path) {
        std::string rel = path;
        if (m.root != "/" && (rel == m.root || rel.starts_with(m.root + "/")))
            rel = rel.substr(m.root.size());
        return join_path(m.mountpoint, rel);
    };

    std::set<std::string> known;  // every controller name of /proc/self/cgroup
    for (const auto& l : lines) known.insert(l.controllers.begin(), l.controllers.end());

    const ProcCgroup* v2line = nullptr;
    for (const auto& l : lines) {
        if (l.id == 0 && l.controllers.empty()) {
            v2line = &l;
            continue;
        }
        if (host.layout == Layout::V2) continue;
        std::set<std::string> want(l.controllers.begin(), l.controllers.end());
        for (const auto& m : mounts) {
            if (m.v2) continue;
            std::set<std::string> have;
            for (const auto& o : m.super_opts)
                if (known.contains(o)) have.insert(o);
            if (have != want) continue;
            host.hierarchies.push_back(
                Hierarchy{false, l.controllers, m.mountpoint, dir_of(m, l.path)});
            break;
        }
    }
    if (v2line != nullptr && host.layout != Layout::V1) {
        auto it = std::find_if(mounts.begin(), mounts.end(), [](const auto& m) { return m.v2; });
        if (it != mounts.end())
            host.hierarchies.push_back(
                Hierarchy{true, {}, it->mountpoint, dir_of(*it, v2line->path)});
    }
    if (host.hierarchies.empty())
        return fail("no mounted cgroup hierarchy matches /proc/self/cgroup");
    if (host.layout == Layout::V2 && !host.hierarchies.front().v2)
        return fail("cgroup2 is mounted but /proc/self/cgroup has no '0::' line");
    return host;
}

Result<std::string> read_text(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno("cannot open {}", path);
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) return fail_errno("cannot read {}", path);
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

Result<HostCgroups> discover_host() {
    auto mi = KISTE_TRY(read_text("/proc/self/mountinfo"));
    auto pc = KISTE_TRY(read_text("/proc/self/cgroup"));
    return with_context(discover(mi, pc), "finding our cgroups");
}

Result<Layout> detect_layout() {
    auto mi = KISTE_TRY(read_text("/proc/self/mountinfo"));
    return with_context(layout_of(parse_mountinfo(mi)), "detecting the cgroup layout");
}

const CgroupMount* mount_of(const std::vector<CgroupMount>& mounts, std::string_view path) {
    const CgroupMount* best = nullptr;
    for (const auto& m : mounts) {
        const std::string& mp = m.mountpoint;
        bool under = path == mp || (path.starts_with(mp) && path.size() > mp.size() &&
                                    (path[mp.size()] == '/' || mp == "/"));
        if (under && (best == nullptr || mp.size() > best->mountpoint.size())) best = &m;
    }
    return best;
}

}  // namespace kiste::cgroup
