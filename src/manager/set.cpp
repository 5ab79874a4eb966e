#include "manager/set.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "base/unique_fd.hpp"
#include "cgroup/cgroup.hpp"
#include "cgroup/friendly.hpp"
#include "cgroup/host.hpp"
#include "cgroup/resources.hpp"
#include "cgroup/values.hpp"
#include "config/lxc/config.hpp"
#include "config/lxc/edit.hpp"

namespace kiste::manager {

namespace {

struct Assignment {
    std::string name, value;
};

Result<std::vector<Assignment>> parse(const std::vector<std::string>& args) {
    std::vector<Assignment> out;
    for (const auto& a : args) {
        auto eq = a.find('=');
        if (eq == std::string::npos || eq == 0)
            return fail("'{}': expected NAME=VALUE (e.g. memory=512M)", a);
        out.push_back({a.substr(0, eq), a.substr(eq + 1)});
    }
    if (out.empty()) return fail("nothing to set (give NAME=VALUE, e.g. pids=200)");
    return out;
}

// Per-device and per-kind lines stay separate in the config: the part of the
// value that names them ("8:0 rbps=", "8:0 ", "default ").
std::string line_identity(const std::string& key, const std::string& value) {
    if (key == "io.max") return value.substr(0, value.find('=') + 1);
    if (key.ends_with("_device") || key == "io.weight") return value.substr(0, value.find(' ') + 1);
    return {};
}

// The memory limit a v1 swap= adds to: this command's, else the current one
// (the running container's, or the config's: its key for the host's layout
// winning over the other's, as at the start).
std::optional<int64_t> memory_context(const std::vector<Assignment>& as, cgroup::Manager* live,
                                      const std::string& config, int version) {
    for (const auto& a : as)
        if (a.name == "memory") return a.value == "unlimited" ? -1 : cgroup::parse_bytes(a.value);
    if (live != nullptr) {
        if (auto v = live->get("memory.limit_in_bytes")) {
            auto n = cgroup::parse_uint(*v);
            if (n && *n < (uint64_t{1} << 62)) return static_cast<int64_t>(*n);
        }
        return std::nullopt;
    }
    auto cfg = lxc::load_file(config);
    if (!cfg) return std::nullopt;
    auto typed = cgroup::absorb_settings(cfg->spec.cgroup);
    if (!typed) return std::nullopt;
    return cgroup::effective_resources(*typed, version).memory_limit;
}

// Replaces the config keeping its mode and owner: create writes it 0640,
// and a config readable by all would show what it holds (hooks, addresses).
// A symlinked config (one shared by several containers) is written where
// the link points, and stays a link.
Status write_atomically(const std::string& config, const std::string& text) {
    char resolved[PATH_MAX];
    const std::string path = ::realpath(config.c_str(), resolved) ? resolved : config;
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0) return fail_errno("cannot read {}", path);
    const std::string tmp = path + ".kiste-set.tmp";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return fail_errno("cannot write {}", tmp);
    if (::fchmod(fd.get(), st.st_mode & 07777) < 0 ||
        ((st.st_uid != ::geteuid() || st.st_gid != ::getegid()) &&
         ::fchown(fd.get(), st.st_uid, st.st_gid) < 0 && errno != EPERM)) {
        ::unlink(tmp.c_str());
        return fail_errno("cannot give {} the mode and owner of {}", tmp, path);
    }
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::fsync(fd.get()) < 0) {
        ::unlink(tmp.c_str());
        return fail_errno("cannot write {}", tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        ::unlink(tmp.c_str());
        return fail_errno("cannot replace {}", path);
    }
    return {};
}

}  // namespace

Result<std::unique_ptr<cgroup::Manager>> open_running_cgroups(const state::ContainerPaths& paths) {
    auto obs = state::observe(paths);
    if (obs.state == state::State::Stopped) {
        std::error_code ec;
        if (!std::filesystem::exists(paths.config(), ec))
            return fail("container '{}' does not exist in {}", paths.name, paths.lxcpath);
        return fail("container '{}' is not running", paths.name);
    }
    if (!obs.recorded || obs.recorded->cgroup_paths.empty())
        return fail("container '{}' is {} but its state records no cgroup", paths.name,
                    state::state_name(obs.state));
    return with_context(cgroup::open_manager(obs.recorded->cgroup_paths), "container '{}'",
                        paths.name);
}

Result<SetOutcome> set_resources(const state::ContainerPaths& paths,
                                 const std::vector<std::string>& assignments,
                                 const SetOptions& opt) {
    if (!opt.live && !opt.persist) return fail("--live-only and --config-only exclude each other");
    const auto as = KISTE_TRY(parse(assignments));
    std::error_code ec;
    if (!std::filesystem::exists(paths.config(), ec))
        return fail("container '{}' does not exist in {}", paths.name, paths.lxcpath);
    auto obs = state::observe(paths);
    const bool running =
        obs.state != state::State::Stopped && obs.recorded && !obs.recorded->cgroup_paths.empty();
    if (!opt.persist && !running) return fail("container '{}' is not running", paths.name);

    std::unique_ptr<cgroup::Manager> live;
    if (running && opt.live)
        live = KISTE_TRY_CTX(cgroup::open_manager(obs.recorded->cgroup_paths), "container '{}'",
                             paths.name);
    const cgroup::Layout layout = live ? live->layout() : KISTE_TRY(cgroup::detect_layout());
    const int version = layout == cgroup::Layout::V2 ? 2 : 1;

    cgroup::FriendlyContext fctx;
    fctx.memory_limit = memory_context(as, live.get(), paths.config(), version);
    CgroupConfig cfg;
    for (const auto& a : as) {
        auto s = KISTE_TRY(cgroup::friendly_to_settings(a.name, a.value, version, fctx));
        cfg.settings.insert(cfg.settings.end(), s.begin(), s.end());
    }

    SetOutcome out;
    if (live) {
        KISTE_TRY_CTX(live->apply_settings(cfg), "container '{}'", paths.name);
        out.notes = live->warnings();
        out.applied_live = true;
    }
    if (opt.persist) {
        auto text = KISTE_TRY(cgroup::read_text(paths.config()));
        for (const auto& s : cfg.settings) {
            const std::string key = fmt::format("lxc.cgroup{}.{}", version == 2 ? "2" : "", s.key);
            text = lxc::set_config_line(text, key, s.value, line_identity(s.key, s.value));
            out.config_lines.push_back(fmt::format("{} = {}", key, s.value));
        }
        // The file must still load: never leave a config kiste cannot start.
        KISTE_TRY_CTX(lxc::load_string(text, paths.config()), "the updated config of '{}'",
                      paths.name);
        KISTE_TRY(write_atomically(paths.config(), text));
    }
    return out;
}

}  // namespace kiste::manager
