// Legacy key names. The renames are LXC 2.1's (its release notes and
// lxc-update-config); keys whose name did not change (lxc.cap.drop,
// lxc.mount.entry, lxc.hook.*, lxc.cgroup.*, lxc.start.*, ...) need no entry.
#include "config/lxc/legacy.hpp"

#include <array>
#include <cctype>

#include "config/lxc/values.hpp"

namespace kiste::lxc::detail {

namespace {

constexpr LegacyName kLegacy[] = {
    {"lxc.aa_allow_incomplete", "lxc.apparmor.allow_incomplete"},
    {"lxc.aa_profile", "lxc.apparmor.profile"},
    {"lxc.console", "lxc.console.path"},
    {"lxc.devttydir", "lxc.tty.dir"},
    {"lxc.haltsignal", "lxc.signal.halt"},
    {"lxc.id_map", "lxc.idmap"},
    {"lxc.init_cmd", "lxc.init.cmd"},
    {"lxc.init_gid", "lxc.init.gid"},
    {"lxc.init_uid", "lxc.init.uid"},
    {"lxc.limit.", "lxc.prlimit.", true},
    {"lxc.logfile", "lxc.log.file"},
    {"lxc.loglevel", "lxc.log.level"},
    {"lxc.mount", "lxc.mount.fstab"},
    {"lxc.pts", "lxc.pty.max"},
    {"lxc.rebootsignal", "lxc.signal.reboot"},
    {"lxc.rootfs", "lxc.rootfs.path"},
    {"lxc.se_context", "lxc.selinux.context"},
    {"lxc.seccomp", "lxc.seccomp.profile"},
    {"lxc.stopsignal", "lxc.signal.stop"},
    {"lxc.syslog", "lxc.log.syslog"},
    {"lxc.tty", "lxc.tty.max"},
    {"lxc.utsname", "lxc.uts.name"},
};

// Old sub-key -> today's, for lxc.network.X.
struct NetRename {
    std::string_view old_sub;
    std::string_view new_sub;
};
constexpr NetRename kNetSubs[] = {
    {"type", "type"},
    {"flags", "flags"},
    {"link", "link"},
    {"name", "name"},
    {"hwaddr", "hwaddr"},
    {"mtu", "mtu"},
    {"ipv4", "ipv4.address"},
    {"ipv4.gateway", "ipv4.gateway"},
    {"ipv6", "ipv6.address"},
    {"ipv6.gateway", "ipv6.gateway"},
    {"veth.pair", "veth.pair"},
    {"macvlan.mode", "macvlan.mode"},
    {"vlan.id", "vlan.id"},
    {"script.up", "script.up"},
    {"script.down", "script.down"},
};
constexpr auto kNetSubNames = [] {
    std::array<std::string_view, std::size(kNetSubs)> out{};
    for (size_t i = 0; i < out.size(); ++i) out[i] = kNetSubs[i].old_sub;
    return out;
}();

constexpr std::string_view kNetPrefix = "lxc.network.";

}  // namespace

std::span<const LegacyName> legacy_names() {
    return kLegacy;
}

std::optional<std::string> modern_key(std::string_view key) {
    for (const auto& l : kLegacy) {
        if (l.prefix) {
            if (key.starts_with(l.old_name) && key.size() > l.old_name.size())
                return std::string(l.new_name) + std::string(key.substr(l.old_name.size()));
        } else if (key == l.old_name) {
            return std::string(l.new_name);
        }
    }
    return std::nullopt;
}

bool is_obsolete_key(std::string_view key) {
    return key == "lxc.rootfs.backend" || key == "lxc.pivotdir";
}

bool is_legacy_network(std::string_view key) {
    return key == "lxc.network" || key.starts_with(kNetPrefix);
}

std::optional<LegacyNet> parse_legacy_network(std::string_view key) {
    if (key == "lxc.network") return LegacyNet{};
    if (!key.starts_with(kNetPrefix)) return std::nullopt;
    std::string_view rest = key.substr(kNetPrefix.size());
    LegacyNet out;
    if (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front()))) {
        size_t dot = rest.find('.');
        auto n = parse_u32(rest.substr(0, dot));
        if (!n || dot == std::string_view::npos) return std::nullopt;
        out.index = *n;
        rest = rest.substr(dot + 1);
    }
    for (const auto& s : kNetSubs) {
        if (s.old_sub == rest) {
            out.sub = std::string(s.new_sub);
            return out;
        }
    }
    return std::nullopt;
}

std::span<const std::string_view> legacy_network_subkeys() {
    return kNetSubNames;
}

}  // namespace kiste::lxc::detail
