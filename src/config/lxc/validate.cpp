#include "config/lxc/validate.hpp"

#include "config/lxc/to_spec_parts.hpp"

namespace kiste::lxc {

namespace {

// Where a spec field came from in the config: the key, its value as written
// (empty: the key alone is named) and the origin of that line.
struct KeySite {
    std::string key;
    std::string value;
    std::string origin;
};

// The key's value in config syntax; empty when it spans lines (a list key).
std::string scalar_value(const LxcConfig& cfg, const std::string& key) {
    auto v = get_key(cfg, key);
    if (!v || v->find('\n') != std::string::npos) return {};
    return *v;
}

KeySite site_of(const LxcConfig& cfg, const std::string& key) {
    return {.key = key, .value = scalar_value(cfg, key), .origin = detail::origin_of(cfg, key)};
}

// A mount of the spec: the lxc.mount.fstab lines come first, then the
// lxc.mount.entry lines (to_spec_mounts.cpp).
KeySite mount_site(const LxcConfig& cfg, const ContainerSpec& spec, size_t index) {
    const size_t from_fstab = spec.mounts.size() >= cfg.mount_entries.size()
                                  ? spec.mounts.size() - cfg.mount_entries.size()
                                  : 0;
    if (index >= from_fstab && index - from_fstab < cfg.mount_entries.size()) {
        const OriginValue& e = cfg.mount_entries[index - from_fstab];
        return {.key = "lxc.mount.entry", .value = e.value, .origin = e.origin};
    }
    KeySite s = site_of(cfg, "lxc.mount.fstab");
    if (index < spec.mounts.size() && !spec.mounts[index].origin.empty())
        s.origin = spec.mounts[index].origin;  // the line of the fstab file
    return s;
}

std::optional<KeySite> site_of(const LxcConfig& cfg, const ContainerSpec& spec,
                               const SpecProblem& p) {
    switch (p.field) {
        case SpecField::ProcessArgs:
            return site_of(cfg, spec.process.use_init ? "lxc.execute.cmd" : "lxc.init.cmd");
        case SpecField::ProcessCwd: return site_of(cfg, "lxc.init.cwd");
        case SpecField::Rlimits:
            if (p.index >= spec.process.rlimits.size()) return site_of(cfg, "lxc.prlimit");
            return site_of(cfg, "lxc.prlimit." + spec.process.rlimits[p.index].name);
        case SpecField::Hostname: return site_of(cfg, "lxc.uts.name");
        case SpecField::Domainname: return std::nullopt;  // no LXC key sets it
        case SpecField::UserNamespace: return site_of(cfg, "lxc.namespace.clone");
        // The origin is the last lxc.idmap line: the value is shown only when
        // it is the one line (a list key's lines are not told apart).
        case SpecField::UidMappings:
        case SpecField::GidMappings: return site_of(cfg, "lxc.idmap");
        case SpecField::TimeOffsets:
            return site_of(cfg, spec.time_offset_boottime_ns ? "lxc.time.offset.boot"
                                                             : "lxc.time.offset.monotonic");
        case SpecField::RootfsPath: return site_of(cfg, "lxc.rootfs.path");
        case SpecField::Mounts: return mount_site(cfg, spec, p.index);
        case SpecField::Sysctls: {
            if (p.index >= spec.sysctls.size()) return site_of(cfg, "lxc.sysctl");
            const auto& [name, value] = spec.sysctls[p.index];
            KeySite s = site_of(cfg, "lxc.sysctl." + name);
            s.value = value;
            return s;
        }
    }
    return std::nullopt;
}

}  // namespace

Error describe_problem(const LxcConfig& cfg, const ContainerSpec& spec, const SpecProblem& p) {
    const std::string reason = p.error.message(false);
    auto site = site_of(cfg, spec, p);
    std::string text;
    if (!site) {
        text = p.place.empty() ? reason : fmt::format("{}: {}", p.place, reason);
    } else {
        const std::string& origin = site->origin.empty() ? p.place : site->origin;
        if (!origin.empty()) text = origin + ": ";
        text += site->key;
        if (!site->value.empty()) text += " = " + site->value;
        text += ": " + reason;
    }
    return Error(p.error.code(), std::move(text));
}

Status validate_spec(const LxcConfig& cfg, const ContainerSpec& spec) {
    auto p = find_problem(spec);
    if (!p) return {};
    return fail(describe_problem(cfg, spec, *p));
}

}  // namespace kiste::lxc
