// The manager on a pure cgroup v2 host: one cgroup; the controllers it needs
// are enabled in cgroup.subtree_control from our own cgroup down to it.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "cgroup/manager_impl.hpp"
#include "cgroup/settings.hpp"
#include "cgroup/v2/controllers.hpp"
#include "cgroup/v2/devices.hpp"
#include "cgroup/values.hpp"

namespace kiste::cgroup {

namespace {

// Where attach() puts a process when the container's cgroup itself cannot
// take one (systemd inside enabled controllers for its subtree: v2's "no
// internal processes" rule). LXC uses ".lxc" the same way.
constexpr const char* kAttachLeaf = ".kiste";

class V2Manager final : public ManagerBase {
public:
    V2Manager(Slot slot, std::string inner_rel)
        : ManagerBase(Layout::V2, {std::move(slot)}, std::move(inner_rel)) {}

    Status attach(pid_t pid) override {
        auto d = KISTE_TRY(open_dir(slot().inner));
        auto st = write_file(d, "cgroup.procs", std::to_string(pid));
        if (!st && st.error().code() == EBUSY) {
            if (::mkdirat(d.get(), kAttachLeaf, 0755) != 0 && errno != EEXIST)
                return fail_errno("cannot create {}", d.file(kAttachLeaf));
            auto leaf = KISTE_TRY(open_subdir(d, kAttachLeaf));
            st = write_file(leaf, "cgroup.procs", std::to_string(pid));
        }
        if (!st)
            return fail(
                std::move(st.error())
                    .context(fmt::format("moving process {} into the container's cgroup", pid)));
        return {};
    }

    Result<int> open_v2_dir() override {
        int fd = ::open(slot().inner.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return fail_errno("cannot open cgroup {}", slot().inner);
        return fd;
    }

    Status apply_settings(const CgroupConfig& cfg) override {
        auto plan = KISTE_TRY(plan_settings(cfg, 2));
        warnings_.insert(warnings_.end(), plan.notes.begin(), plan.notes.end());
        FileWriter w(KISTE_TRY(open_dir(slot().dir)), warnings_,
                     [](const Dir& d, const std::string& file) { return not_enabled(d, file); });
        const Resources& r = plan.resources;
        KISTE_TRY(v2::cpuset::apply(w, r));
        KISTE_TRY(v2::memory::apply(w, r));
        KISTE_TRY(v2::cpu::apply(w, r));
        KISTE_TRY(v2::pids::apply(w, r));
        KISTE_TRY(v2::io::apply(w, r));
        KISTE_TRY(v2::hugetlb::apply(w, r));
        KISTE_TRY(v2::net_cls::apply(w, r));
        const Dir& d = *w.dir();
        for (const auto& pw : plan.writes) {
            auto st = write_file(d, pw.key, pw.value);
            if (!st && st.error().code() == ENOENT && !file_exists(d, pw.key)) {
                warnings_.push_back(unapplied_note(pw.source, pw.key, not_enabled(d, pw.key)));
                continue;
            }
            if (!st) return fail(std::move(explain(d, pw.key, st.error())).context(pw.source));
        }
        std::vector<DeviceRule> rules;
        std::string source = plan.devices_source;
        for (const auto& pr : plan.devices) {
            auto rule = v2::devices::parse_rule(pr.rule, pr.allow);
            if (!rule) return fail(std::move(rule.error()).context(pr.source));
            rules.push_back(*rule);
        }
        if (!plan.devices.empty()) source = plan.devices.front().source;
        if (rules.empty()) rules = r.devices;
        if (!rules.empty())
            KISTE_TRY_CTX(v2::devices::install(d, v2::devices::compile(rules)),
                          "{} device rule(s) from {}", rules.size(), source);
        return {};
    }

    Status freeze() override { return v2::freezer::freeze(KISTE_TRY(open_dir(slot().dir))); }
    Status thaw() override { return v2::freezer::thaw(KISTE_TRY(open_dir(slot().dir))); }
    Result<bool> frozen() override { return v2::freezer::frozen(KISTE_TRY(open_dir(slot().dir))); }

    Result<std::string> get(const std::string& key) override {
        KISTE_TRY(check_key(key));
        auto d = KISTE_TRY(open_dir(slot().dir));
        auto r = read_file(d, key);
        if (!r) return fail(explain(d, key, r.error()));
        return r;
    }

    Status set(const std::string& key, const std::string& value) override {
        KISTE_TRY(check_key(key));
        if (auto st = validate_value(2, key, value); !st)
            return fail("{} = {}: invalid value: {}", key, value, st.error().root());
        auto d = KISTE_TRY(open_dir(slot().dir));
        auto st = write_file(d, key, normalize_value(2, key, value));
        if (!st) return fail(explain(d, key, st.error()));
        return {};
    }

    Result<Stats> stats() override {
        Stats st;
        auto d = KISTE_TRY(open_dir(slot().dir));
        if (file_exists(d, "memory.current")) {
            auto m = KISTE_TRY(v2::memory::stats(d));
            st.memory_usage = m.usage;
            st.memory_limit = m.limit;
            st.oom_kills = m.oom_kills;
            st.swap_usage = m.swap;
            st.memory_limit_hits = m.max_hits;
        }
        if (file_exists(d, "cpu.stat")) st.cpu_usage_ns = KISTE_TRY(v2::cpu::usage_ns(d));
        const auto io = v2::io::bytes(d);
        st.io_read_bytes = io.read;
        st.io_write_bytes = io.write;
        if (file_exists(d, "pids.current")) {
            st.pids = KISTE_TRY(v2::pids::current(d));
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
        // Controllers reach the container only when every ancestor from our
        // own cgroup down enables them for its children.
        std::vector<std::string> chain = {s.h.base};
        for (size_t pos = 0; (pos = s.rel.find('/', pos)) != std::string::npos; ++pos)
            chain.push_back(s.h.base + "/" + s.rel.substr(0, pos));
        if (!inner_rel_.empty()) chain.push_back(s.dir);
        for (const auto& path : chain) {
            auto d = KISTE_TRY(open_dir(path));
            for (auto& refused : v2::core::enable(d, v2::core::controllers(d)))
                warnings_.push_back("controller not enabled: " + refused);
        }
        if (!inner_rel_.empty()) KISTE_TRY(mkdir_path(s.dir, inner_rel_, hook, &made));
        return {};
    }

    Result<bool> freeze_for_kill() override {
        auto d = KISTE_TRY(open_dir(slot().dir));
        if (file_exists(d, "cgroup.kill")) return false;  // no pid race to guard against
        KISTE_TRY(v2::freezer::freeze(d, 1000));
        return true;
    }

    Status thaw_after_kill() override { return thaw(); }

private:
    [[nodiscard]] const Slot& slot() const { return slots_.front(); }

    static Status check_key(const std::string& key) {
        if (key.empty() || key.find('/') != std::string::npos || key.starts_with("."))
            return fail("invalid cgroup file name '{}'", key);
        return {};
    }

    // "the io controller is not enabled for DIR (available: ...)" when the
    // key's controller is not enabled there; empty otherwise.
    static std::string not_enabled(const Dir& d, const std::string& key) {
        const auto ctrl = std::string(controller_of(key));
        const auto offered = v2::core::controllers(d);
        if (ctrl == "cgroup" || std::find(offered.begin(), offered.end(), ctrl) != offered.end())
            return {};
        std::string list;
        for (const auto& c : offered) list += (list.empty() ? "" : " ") + c;
        return fmt::format("the {} controller is not enabled for {} (available: {})", ctrl, d.path,
                           list.empty() ? "none" : list);
    }

    // A missing file mostly means a controller that is not enabled here.
    static Error explain(const Dir& d, const std::string& key, Error e) {
        if (e.code() != ENOENT) return e;
        if (auto why = not_enabled(d, key); !why.empty()) return std::move(e).context(why);
        return e;
    }
};

}  // namespace

std::unique_ptr<Manager> make_v2_manager(Slot slot, std::string inner_rel) {
    return std::make_unique<V2Manager>(std::move(slot), std::move(inner_rel));
}

}  // namespace kiste::cgroup
