// The monitor's own cgroup: it keeps the monitor's CPU and memory apart from
// the container's, and out of the cgroup the container's limits apply to.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "base/parse_number.hpp"
#include "cgroup/manager_impl.hpp"
#include "cgroup/v1/controllers.hpp"

namespace kiste::cgroup {

namespace {

bool single_threaded() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("Threads:"))
            return parse_number_trimmed<int>(std::string_view(line).substr(8)) == 1;
    return false;
}

// Moves the calling process into `dir`. On v1, a single-threaded process
// writes "0" to `tasks`: that moves only the calling thread, which the kernel
// does without its global threadgroup lock, whose first taking costs an RCU
// grace period (~10 ms). cgroup.procs (whole process) otherwise, and on v2,
// where a thread cannot leave its domain.
Status move_self(const std::string& dir, bool v2) {
    auto d = KISTE_TRY(open_dir(dir));
    if (!v2 && single_threaded()) return write_file(d, "tasks", "0");
    return write_file(d, "cgroup.procs", std::to_string(::getpid()));
}

class MonitorCgroupImpl final : public MonitorCgroup {
public:
    struct Entry {
        std::string dir;
        std::string pivot;
        std::string base;  // where the process was before
        bool v2 = false;
    };
    MonitorCgroupImpl(std::vector<Entry> entries, bool remove_empty_parent)
        : entries_(std::move(entries)), remove_empty_parent_(remove_empty_parent) {}
    ~MonitorCgroupImpl() override {
        if (!left_) (void)leave();
    }

    Status leave() override {
        left_ = true;
        Status first;
        for (const auto& e : entries_) {
            // A cgroup with a process in it cannot be removed: move out first,
            // back where we came from; on v2 that cgroup may now delegate
            // controllers (no processes allowed), then to the pivot.
            Status st = move_self(e.base, e.v2);
            if (!st && e.pivot != e.base) st = move_self(e.pivot, e.v2);
            if (st) st = remove_tree(e.dir, 200);
            if (st && remove_empty_parent_) ::rmdir(parent_of(e.dir).c_str());
            if (!st && first) first = std::move(st);
        }
        return first;
    }

    [[nodiscard]] std::vector<std::string> paths() const override {
        std::vector<std::string> out;
        for (const auto& e : entries_) out.push_back(e.dir);
        return out;
    }

private:
    static std::string parent_of(const std::string& path) {
        return path.substr(0, path.rfind('/'));
    }

    std::vector<Entry> entries_;
    bool remove_empty_parent_ = false;
    bool left_ = false;
};

std::string join(const std::string& a, const std::string& b) {
    return a.back() == '/' ? a + b : a + "/" + b;
}

// The monitor cgroup (and the pivot) in one hierarchy; h.base becomes the
// cgroup outside our own monitor cgroup. Appends what it made to `made`.
Status make_monitor_dirs(Hierarchy& h, const Placement& p, std::vector<std::string>& made) {
    std::string base = base_outside_monitor(h.base, p);
    if (base.size() >= h.mountpoint.size()) h.base = base;
    const bool cpuset = !h.v2 && h.has("cpuset");
    KISTE_TRY(mkdir_path(h.base, p.monitor, {}, &made));
    if (cpuset) KISTE_TRY(v1::cpuset::inherit_down(h.base, p.monitor));
    if (!p.monitor_pivot.empty() &&
        p.monitor_pivot != p.monitor.substr(0, p.monitor_pivot.size())) {
        KISTE_TRY(mkdir_path(h.base, p.monitor_pivot, {}, &made));
        if (cpuset) KISTE_TRY(v1::cpuset::inherit_down(h.base, p.monitor_pivot));
    }
    return {};
}

}  // namespace

Result<int> prepare_monitor_cgroup(const std::string& name, const CgroupConfig& cfg) {
    const auto p = KISTE_TRY(placement_for(name, cfg));
    auto host = KISTE_TRY(discover_host());
    for (auto& h : host.hierarchies) {
        if (!h.v2) continue;
        std::vector<std::string> made;
        KISTE_TRY(make_monitor_dirs(h, p, made));
        const std::string dir = join(h.base, p.monitor);
        int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return fail_errno("cannot open cgroup {}", dir);
        return fd;
    }
    return -1;
}

Result<std::unique_ptr<MonitorCgroup>> enter_monitor_cgroup(const std::string& name,
                                                            const CgroupConfig& cfg) {
    const auto p = KISTE_TRY(placement_for(name, cfg));
    auto host = KISTE_TRY(discover_host());
    std::vector<MonitorCgroupImpl::Entry> entries;
    std::vector<std::string> made;
    for (auto& h : host.hierarchies) {
        const std::string own = h.base;
        auto st = make_monitor_dirs(h, p, made);
        // Already there when cloned in (prepare_monitor_cgroup).
        if (st && own != join(h.base, p.monitor)) st = move_self(join(h.base, p.monitor), h.v2);
        if (!st) {
            // Undo: back to where we were, and remove what we made.
            for (const auto& e : entries) (void)move_self(e.base, e.v2);
            for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
            return fail(std::move(st.error())
                            .context(fmt::format("entering the monitor cgroup of '{}'", name)));
        }
        entries.push_back({join(h.base, p.monitor),
                           p.monitor_pivot.empty() ? h.base : join(h.base, p.monitor_pivot), h.base,
                           h.v2});
    }
    return std::unique_ptr<MonitorCgroup>(
        std::make_unique<MonitorCgroupImpl>(std::move(entries), p.remove_empty_parent));
}

Status remove_monitor_cgroup(const std::string& name, const CgroupConfig& cfg) {
    const auto p = KISTE_TRY(placement_for(name, cfg));
    auto host = KISTE_TRY(discover_host());
    Status first;
    for (auto& h : host.hierarchies) {
        std::string base = base_outside_monitor(h.base, p);
        if (base.size() >= h.mountpoint.size()) h.base = base;
        // A live monitor keeps its cgroup busy: rmdir fails, nothing is killed.
        const std::string dir = join(h.base, p.monitor);
        auto st = remove_tree(dir, 0);
        if (st && p.remove_empty_parent) ::rmdir(dir.substr(0, dir.rfind('/')).c_str());
        if (!st && first) first = std::move(st);
    }
    return first;
}

}  // namespace kiste::cgroup
