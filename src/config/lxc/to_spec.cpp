// to_spec: what an LxcConfig means to the runtime. This file: the order of
// the steps, the process (argv, environment), namespaces, capabilities and
// the network interfaces.
#include <sys/capability.h>

#include <algorithm>
#include <cstdlib>

#include "config/lxc/keys.hpp"
#include "config/lxc/to_spec_parts.hpp"
#include "security/caps.hpp"

namespace kiste::lxc {

namespace detail {

std::string origin_of(const LxcConfig& cfg, std::string_view key) {
    auto it = cfg.origins.find(std::string(key));
    return it == cfg.origins.end() ? std::string() : it->second;
}

namespace {

std::string at(const std::string& origin) {
    return origin.empty() ? std::string() : " (" + origin + ")";
}

Result<std::vector<std::string>> split_key(const LxcConfig& cfg, const std::string& value,
                                           std::string_view key) {
    auto r = split_command(value);
    if (!r) return fail("{}{}: {}", key, at(origin_of(cfg, key)), r.error().root());
    return r;
}

// "VAR=VALUE" entries with a later VAR replacing an earlier one.
void put_env(std::vector<std::string>& env, std::string entry) {
    std::string_view name = std::string_view(entry).substr(0, entry.find('='));
    auto it = std::find_if(env.begin(), env.end(), [&](const std::string& e) {
        return e.size() > name.size() && e.compare(0, name.size(), name) == 0 &&
               e[name.size()] == '=';
    });
    if (it != env.end())
        *it = std::move(entry);
    else
        env.push_back(std::move(entry));
}

Result<uint64_t> cap_mask(const std::vector<std::string>& names) {
    uint64_t mask = 0;
    for (const auto& n : names) {
        int bit = -1;
        if (auto num = parse_u64(n)) {
            bit = static_cast<int>(*num);
        } else {
            cap_value_t v = -1;
            std::string full = "cap_" + n;
            if (::cap_from_name(full.c_str(), &v) != 0) return fail("unknown capability '{}'", n);
            bit = v;
        }
        if (bit >= 0 && bit < 64) mask |= uint64_t{1} << bit;
    }
    return mask;
}

}  // namespace

Status resolve_process(const LxcConfig& cfg, Purpose purpose, ContainerSpec& s) {
    if (purpose == Purpose::Execute) {
        // Like lxc-execute: lxc.execute.cmd when no command is given (the
        // caller puts its command line over this), never lxc.init.cmd.
        if (!cfg.execute_cmd.empty())
            s.process.args = KISTE_TRY(split_key(cfg, cfg.execute_cmd, "lxc.execute.cmd"));
        s.process.use_init = true;
    } else {
        s.process.args = cfg.init_cmd.empty()
                             ? std::vector<std::string>{"/sbin/init"}
                             : KISTE_TRY(split_key(cfg, cfg.init_cmd, "lxc.init.cmd"));
        s.process.use_init = false;
    }
    // The lxc.environment entries, resolved; the runtime puts them over its
    // clean defaults (PATH, container=lxc, ...; security/environment.hpp). A
    // bare VAR takes kiste's value now and, as in LXC, must be set.
    s.process.env.clear();
    for (const auto& e : cfg.environment) {
        if (e.value.find('=') != std::string::npos) {
            put_env(s.process.env, e.value);
            continue;
        }
        const char* host = std::getenv(e.value.c_str());
        if (host == nullptr)
            return fail("lxc.environment = {}{}: {} is not set in kiste's environment", e.value,
                        at(e.origin), e.value);
        put_env(s.process.env, e.value + "=" + host);
    }
    return {};
}

Status resolve_namespaces(const LxcConfig& cfg, ContainerSpec& s) {
    using Mode = NamespaceConfig::Mode;
    const bool net_none = std::any_of(cfg.net.begin(), cfg.net.end(),
                                      [](const auto& n) { return n.second.type == "none"; });
    s.namespaces.clear();
    for (NsKind k : kAllNamespaces) s.namespaces[k].mode = Mode::Host;
    if (cfg.ns_clone) {
        for (const auto& n : *cfg.ns_clone) s.namespaces[*ns_from_name(n)].mode = Mode::New;
    } else {
        for (NsKind k :
             {NsKind::Mount, NsKind::Uts, NsKind::Ipc, NsKind::Pid, NsKind::Cgroup, NsKind::Net})
            s.namespaces[k].mode = Mode::New;
        if (!s.uid_map.empty() || !s.gid_map.empty()) s.namespaces[NsKind::User].mode = Mode::New;
        if (s.time_offset_boottime_ns || s.time_offset_monotonic_ns)
            s.namespaces[NsKind::Time].mode = Mode::New;
        // lxc.net.N.type = none: the host's network.
        if (net_none) s.namespaces[NsKind::Net].mode = Mode::Host;
    }
    for (const auto& n : cfg.ns_keep) s.namespaces[*ns_from_name(n)].mode = Mode::Host;
    for (const auto& [name, value] : cfg.ns_share) {
        NsKind k = *ns_from_name(name);
        auto& ns = s.namespaces[k];
        ns.mode = Mode::Join;
        if (parse_u64(value))
            ns.path = fmt::format("/proc/{}/ns/{}", value, ns_name(k));
        else if (value.front() == '/')
            ns.path = value;
        else
            ns.path = "name:" + value;  // another container, resolved by the runtime
    }
    return {};
}

Status resolve_caps(const LxcConfig& cfg, ContainerSpec& s) {
    if (!cfg.cap_drop.empty() && cfg.cap_keep)
        return fail(
            "lxc.cap.drop{} and lxc.cap.keep{} cannot be used together (use one or the other, as "
            "in LXC)",
            at(origin_of(cfg, "lxc.cap.drop")), at(origin_of(cfg, "lxc.cap.keep")));
    if (cfg.cap_keep) {
        uint64_t keep = KISTE_TRY_CTX(cap_mask(*cfg.cap_keep), "lxc.cap.keep");
        s.security.caps = security::cap_sets_keep(keep);
    } else if (!cfg.cap_drop.empty()) {
        uint64_t drop = KISTE_TRY_CTX(cap_mask(cfg.cap_drop), "lxc.cap.drop");
        s.security.caps = security::cap_sets_drop(drop);
    } else {
        s.security.caps.reset();
    }
    return {};
}

Status resolve_network(const LxcConfig& cfg, ContainerSpec& s) {
    s.network.clear();
    bool none = false;
    for (const auto& [idx, iface] : cfg.net) {
        if (iface.type.empty())
            return fail("lxc.net.{}{}: the interface has no type (set lxc.net.{}.type)", idx,
                        at(iface.origin), idx);
        if (iface.type == "none") none = true;
        // none is fully described by the network namespace's mode; empty
        // stays in the spec (no device, but its script.up/down run, as in LXC).
        if (iface.type == "none") continue;
        NetInterface out = iface;
        if (out.origin.empty()) out.origin = fmt::format("lxc.net.{}", idx);
        s.network.push_back(std::move(out));
    }
    if (none && cfg.net.size() > 1)
        return fail(
            "lxc.net: an interface of type 'none' shares the host's network and cannot be "
            "combined with other interfaces");
    return {};
}

}  // namespace detail

using namespace detail;

Result<ContainerSpec> to_spec(const LxcConfig& cfg, Purpose purpose) {
    ContainerSpec s = cfg.spec;
    KISTE_TRY(resolve_process(cfg, purpose, s));
    KISTE_TRY(resolve_network(cfg, s));
    KISTE_TRY(resolve_namespaces(cfg, s));
    KISTE_TRY(resolve_caps(cfg, s));
    KISTE_TRY(resolve_rootfs(cfg, s));
    KISTE_TRY(resolve_mounts(cfg, s));
    KISTE_TRY(resolve_auto_mounts(cfg, s));
    KISTE_TRY(resolve_cgroup(cfg, s));
    resolve_hooks(cfg, s);
    collect_unapplied(cfg, purpose, s);
    return s;
}

}  // namespace kiste::lxc
