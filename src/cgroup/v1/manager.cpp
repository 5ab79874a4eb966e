// The manager on cgroup v1 and hybrid hosts: one cgroup per mounted v1
// hierarchy (controllers and name=systemd), plus the cgroup2 mount of a
// hybrid host (systemd inside a container wants it; cgroup.kill works there).
#include <cerrno>
#include <optional>

#include "cgroup/manager_impl.hpp"
#include "cgroup/resources.hpp"
#include "cgroup/settings.hpp"
#include "cgroup/v1/controllers.hpp"
#include "cgroup/v2/controllers.hpp"
#include "cgroup/values.hpp"

namespace kiste::cgroup {

namespace {

class V1Manager final : public ManagerBase {
public:
    using ManagerBase::ManagerBase;

    Status attach(pid_t pid) override {
        for (const auto& s : slots_) {
            auto d = KISTE_TRY(open_dir(s.inner));
            KISTE_TRY_CTX(write_file(d, "cgroup.procs", std::to_string(pid)),
                          "moving process {} into the container's cgroup", pid);
        }
        return {};
    }

    Result<int> open_v2_dir() override { return -1; }

    Status apply_settings(const CgroupConfig& cfg) override {
        const bool unified = unified_slot() != nullptr;
        auto plan = KISTE_TRY(plan_settings(cfg, 1, unified));
        warnings_.insert(warnings_.end(), plan.notes.begin(), plan.notes.end());
        const Resources& r = plan.resources;
        {
            auto w = writer("cpuset");
            KISTE_TRY(v1::cpuset::apply(w, r));
        }
        {
            auto w = writer("memory");
            KISTE_TRY(v1::memory::apply(w, r));
        }
        {
            auto w = writer("cpu");
            KISTE_TRY(v1::cpu::apply(w, r));
        }
        {
            auto w = writer("pids");
            KISTE_TRY(v1::pids::apply(w, r));
        }
        {
            auto w = writer("blkio");
            KISTE_TRY(v1::blkio::apply(w, r));
        }
        if (!r.hugepage_limits.empty()) {
            auto w = writer("hugetlb");
            KISTE_TRY(v1::hugetlb::apply(w, r));
        }
        if (r.net_cls_classid) {
            auto w = writer("net_cls");
            KISTE_TRY(v1::net_cls::apply(w, r));
        }
        for (const auto& w : plan.writes) {
            auto st = write_key(w.key, w.value);
            if (!st && st.error().code() == ENOENT) {
                if (auto file = missing_file(w.key)) {
                    warnings_.push_back(unapplied_note(w.source, *file));
                    continue;
                }
            }
            if (!st) return fail(std::move(st.error()).context(w.source));
        }
        if (!r.devices.empty()) {
            auto w = writer("devices");
            KISTE_TRY(v1::devices::apply(w, r.devices, plan.devices_source));
        }
        return {};
    }

    Status freeze() override {
        if (const Slot* s = slot_for("freezer"))
            return v1::freezer::freeze(KISTE_TRY(open_dir(s->dir)));
        if (const Slot* u = unified_slot()) return v2::freezer::freeze(KISTE_TRY(open_dir(u->dir)));
        return fail("this host has no freezer hierarchy mounted");
    }

    Status thaw() override {
        if (const Slot* s = slot_for("freezer"))
            return v1::freezer::thaw(KISTE_TRY(open_dir(s->dir)));
        if (const Slot* u = unified_slot()) return v2::freezer::thaw(KISTE_TRY(open_dir(u->dir)));
        return fail("this host has no freezer hierarchy mounted");
    }

    Result<bool> frozen() override {
        if (const Slot* s = slot_for("freezer"))
            return v1::freezer::frozen(KISTE_TRY(open_dir(s->dir)));
        if (const Slot* u = unified_slot()) return v2::freezer::frozen(KISTE_TRY(open_dir(u->dir)));
        return false;
    }

    Result<std::string> get(const std::string& key) override {
        auto [d, file] = KISTE_TRY(locate(key));
        return read_file(d, file);
    }

    Status set(const std::string& key, const std::string& value) override {
        if (auto st = validate_value(1, key, value); !st)
            return fail("{} = {}: invalid value: {}", key, value, st.error().root());
        return write_key(key, normalize_value(1, key, value));
    }

    Result<Stats> stats() override {
        Stats st;
        if (const Slot* s = slot_for("memory")) {
            auto m = KISTE_TRY(v1::memory::stats(KISTE_TRY(open_dir(s->dir))));
            st.memory_usage = m.usage;
            st.memory_limit = m.limit;
            st.oom_kills = m.oom_kills;
            st.swap_usage = m.swap;
            st.memory_limit_hits = m.failcnt;
        }
        if (const Slot* s = slot_for("cpuacct"))
            st.cpu_usage_ns = KISTE_TRY(v1::cpuacct::usage_ns(KISTE_TRY(open_dir(s->dir))));
        if (const Slot* s = slot_for("blkio")) {
            const auto io = v1::blkio::io_bytes(KISTE_TRY(open_dir(s->dir)));
            st.io_read_bytes = io.read;
            st.io_write_bytes = io.write;
        }
        if (const Slot* s = slot_for("pids")) {
            const auto d = KISTE_TRY(open_dir(s->dir));
            st.pids = KISTE_TRY(v1::pids::current(d));
            // pids.max and pids.events read the same on v1.
            st.pids_limit = v2::pids::limit(d);
            st.pids_limit_hits = v2::pids::limit_hits(d);
        } else {
            st.pids = KISTE_TRY(pids()).size();
        }
        return st;
    }

protected:
    Status make_slot(const Slot& s, std::vector<std::string>& made) override {
        const auto hook = created_hook(s.h, {});
        KISTE_TRY(mkdir_path(s.h.base, s.rel, hook, &made));
        if (!inner_rel_.empty()) KISTE_TRY(mkdir_path(s.dir, inner_rel_, hook, &made));
        if (s.h.has("cpuset")) {
            const std::string rel = inner_rel_.empty() ? s.rel : s.rel + "/" + inner_rel_;
            KISTE_TRY(v1::cpuset::inherit_down(s.h.base, rel));
        }
        return {};
    }

    Result<bool> freeze_for_kill() override {
        if (const Slot* s = slot_for("freezer")) {
            if (!dir_exists(s->dir)) return false;
            KISTE_TRY(v1::freezer::freeze(KISTE_TRY(open_dir(s->dir)), 1000));
            return true;
        }
        return false;  // the unified slot has cgroup.kill, which needs no freezing
    }

    Status thaw_after_kill() override { return thaw(); }

private:
    // The writer for a controller's files; fails at the first write when
    // the controller is not mounted.
    FileWriter writer(const char* controller) {
        const Slot* s = slot_for(controller);
        if (s == nullptr)
            return FileWriter::unmounted(
                fmt::format("the {} controller is not mounted on this cgroup {} host", controller,
                            layout_name(layout_)),
                warnings_);
        return FileWriter::at(s->dir, warnings_);
    }

    [[nodiscard]] const Slot* unified_slot() const {
        for (const auto& s : slots_)
            if (s.h.v2) return &s;
        return nullptr;
    }

    // The directory and file a key lives in: its controller's hierarchy; core
    // files (cgroup.procs, tasks, notify_on_release) in the first hierarchy;
    // other cgroup.* files on the unified mount of a hybrid host.
    Result<std::pair<Dir, std::string>> locate(const std::string& key) {
        if (key.empty() || key.find('/') != std::string::npos || key.starts_with("."))
            return fail("invalid cgroup file name '{}'", key);
        const auto ctrl = controller_of(key);
        const Slot* s = slot_for(ctrl);
        if (s == nullptr && (key == "tasks" || key == "notify_on_release" ||
                             key == "cgroup.procs" || key == "cgroup.clone_children")) {
            for (const auto& x : slots_) {
                if (x.h.v2) continue;
                s = &x;
                break;
            }
        }
        if (s == nullptr && ctrl == "cgroup") s = unified_slot();
        if (s == nullptr)
            return fail("{}: the {} controller is not mounted on this cgroup {} host", key, ctrl,
                        layout_name(layout_));
        auto d = KISTE_TRY(open_dir(s->dir));
        std::string file = ctrl == "blkio" ? v1::blkio::file_for(d, key) : key;
        return std::pair<Dir, std::string>{std::move(d), std::move(file)};
    }

    // The file `key` goes to, when this host's cgroup does not have it.
    std::optional<std::string> missing_file(const std::string& key) {
        auto where = locate(key);
        if (!where || file_exists(where->first, where->second)) return std::nullopt;
        return where->second;
    }

    Status write_key(const std::string& key, const std::string& value) {
        auto [d, file] = KISTE_TRY(locate(key));
        return write_file(d, file, value);
    }
};

}  // namespace

std::unique_ptr<Manager> make_v1_manager(Layout layout, std::vector<Slot> slots,
                                         std::string inner_rel) {
    return std::make_unique<V1Manager>(layout, std::move(slots), std::move(inner_rel));
}

}  // namespace kiste::cgroup
