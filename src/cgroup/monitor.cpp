// The monitor's own cgroup: it keeps the monitor's CPU and memory apart from
// the container's, and out of the cgroup the container's limits apply to.
#include <unistd.h>

#include <cerrno>

#include "cgroup/manager_impl.hpp"
#include "cgroup/v1/controllers.hpp"

namespace kiste::cgroup {

namespace {

class MonitorCgroupImpl final : public MonitorCgroup {
public:
    struct Entry {
        std::string dir;
        std::string pivot;
        std::string base;  // where the process was before
    };
    MonitorCgroupImpl(std::vector<Entry> entries, bool remove_empty_parent)
        : entries_(std::move(entries)), remove_empty_parent_(remove_empty_parent) {}
    ~MonitorCgroupImpl() override {
        if (!left_) (void)leave();
    }

    Status leave() override {
        left_ = true;
        Status first;
        const std::string self = std::to_string(::getpid());
        for (const auto& e : entries_) {
            // A cgroup with a process in it cannot be removed: move out first,
            // back where we came from; on v2 that cgroup may now delegate
            // controllers (no processes allowed), then to the pivot.
            Status st = move_to(e.base, self);
            if (!st && e.pivot != e.base) st = move_to(e.pivot, self);
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
    static Status move_to(const std::string& dir, const std::string& pid) {
        auto d = KISTE_TRY(open_dir(dir));
        return write_file(d, "cgroup.procs", pid);
    }
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

}  // namespace

Result<std::unique_ptr<MonitorCgroup>> enter_monitor_cgroup(const std::string& name,
                                                            const CgroupConfig& cfg) {
    const auto p = KISTE_TRY(placement_for(name, cfg));
    auto host = KISTE_TRY(discover_host());
    std::vector<MonitorCgroupImpl::Entry> entries;
    std::vector<std::string> made;
    for (auto& h : host.hierarchies) {
        std::string base = base_outside_monitor(h.base, p);
        if (base.size() >= h.mountpoint.size()) h.base = base;
        const bool cpuset = !h.v2 && h.has("cpuset");
        auto st = mkdir_path(h.base, p.monitor, {}, &made);
        if (st && cpuset) st = v1::cpuset::inherit_down(h.base, p.monitor);
        if (st && !p.monitor_pivot.empty() &&
            p.monitor_pivot != p.monitor.substr(0, p.monitor_pivot.size())) {
            st = mkdir_path(h.base, p.monitor_pivot, {}, &made);
            if (st && cpuset) st = v1::cpuset::inherit_down(h.base, p.monitor_pivot);
        }
        if (st) {
            auto d = open_dir(join(h.base, p.monitor));
            st = d ? write_file(*d, "cgroup.procs", std::to_string(::getpid()))
                   : Status(std::unexpected(d.error()));
        }
        if (!st) {
            // Undo: back to where we were, and remove what we made.
            for (const auto& e : entries)
                if (auto d = open_dir(e.base))
                    (void)write_file(*d, "cgroup.procs", std::to_string(::getpid()));
            for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
            return fail(std::move(st.error())
                            .context(fmt::format("entering the monitor cgroup of '{}'", name)));
        }
        entries.push_back({join(h.base, p.monitor),
                           p.monitor_pivot.empty() ? h.base : join(h.base, p.monitor_pivot),
                           h.base});
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
