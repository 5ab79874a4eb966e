// to_spec, the rest: structured cgroup Resources from the cgroup keys, hooks, and
// the list of keys the runtime cannot apply (reported by the command that
// would need them, never silently dropped).
#include <filesystem>

#include "base/log.hpp"
#include "cgroup/resources.hpp"
#include "config/lxc/fstab.hpp"
#include "config/lxc/keys.hpp"
#include "config/lxc/to_spec_parts.hpp"
#include "storage/storage.hpp"

namespace kiste::lxc::detail {

Status resolve_cgroup(const LxcConfig& cfg, ContainerSpec& s) {
    const CgroupConfig& cg = cfg.spec.cgroup;
    if (!cg.dir.empty() && (!cg.dir_container.empty() || !cg.dir_monitor.empty()))
        return fail(
            "lxc.cgroup.dir cannot be combined with lxc.cgroup.dir.container / "
            "lxc.cgroup.dir.monitor");
    if (cg.dir_container.empty() != cg.dir_monitor.empty())
        return fail("lxc.cgroup.dir.container and lxc.cgroup.dir.monitor must be set together");
    // The files the typed model covers become Resources, parsed once: the v1
    // keys into resources, the v2 keys into resources_v2 (a config usually
    // carries both variants of the same limits, as LXC's common.conf does,
    // and the host's layout picks); the rest stays raw. The values were
    // checked when the lines were read.
    auto absorbed = KISTE_TRY(cgroup::absorb_settings(cg));
    s.cgroup.settings = std::move(absorbed.settings);
    s.cgroup.resources = std::move(absorbed.resources);
    s.cgroup.resources_v2 = std::move(absorbed.resources_v2);
    return {};
}

// LXC runs a hook as a shell command line ("exec HOOK NAME lxc TYPE ..."),
// so a hook is /bin/sh -c with the runtime's arguments appended after $0
// (passed as words of their own: a path with a blank stays one argument).
void resolve_hooks(const LxcConfig& cfg, ContainerSpec& s) {
    auto* hooks = &s.hooks;
    auto list_for = [hooks](std::string_view type) -> std::vector<Hook>* {
        if (type == "pre-start") return &hooks->pre_start;
        if (type == "pre-mount") return &hooks->pre_mount;
        if (type == "mount") return &hooks->mount;
        if (type == "autodev") return &hooks->autodev;
        if (type == "start-host") return &hooks->start_host;
        if (type == "start") return &hooks->start;
        if (type == "stop") return &hooks->stop;
        if (type == "post-stop") return &hooks->post_stop;
        if (type == "clone") return &hooks->clone;
        if (type == "destroy") return &hooks->destroy;
        return nullptr;
    };
    for (const auto& [type, cmds] : cfg.hooks) {
        auto* list = list_for(type);
        if (!list) continue;
        for (const auto& c : cmds) {
            Hook h;
            h.path = "/bin/sh";
            h.args = {"/bin/sh", "-c", "exec " + c.value + " \"$@\"", "sh"};
            h.name = c.value;
            h.origin = c.origin.empty() ? "lxc.hook." + type
                                        : fmt::format("lxc.hook.{}, {}", type, c.origin);
            list->push_back(std::move(h));
        }
    }
    // Hooks run from other directories (the container's root, too).
    std::error_code ec;
    const auto config_path = std::filesystem::absolute(cfg.config_file, ec);
    s.hooks.config_file = ec || cfg.config_file.empty() ? cfg.config_file : config_path.string();
    // LXC_LOG_LEVEL carries the name of the level ("DEBUG" for 1 too).
    if (auto level = parse_log_level(cfg.log_level))
        s.hooks.log_level = std::string(log_level_name(*level));
}

void collect_unapplied(const LxcConfig& cfg, Purpose purpose, ContainerSpec& s) {
    // `kiste start` runs a monitor (console, ttys); `kiste execute` keeps the
    // console on its terminal and serves the ttys itself.
    const bool start = purpose == Purpose::Start;
    auto add = [&](std::string key, std::string value, std::string origin, std::string reason) {
        s.unapplied.push_back(
            {std::move(key), std::move(value), std::move(origin), std::move(reason)});
    };
    auto add_key = [&](std::string_view key, std::string value, std::string reason) {
        add(std::string(key), std::move(value), origin_of(cfg, key), std::move(reason));
    };
    const auto& sec = cfg.spec.security;

    // Never listed: cgroup settings and placement (`kiste start` and `kiste
    // execute` both run the cgroup manager; lxc.cgroup.dir.monitor* has no
    // monitor to place under execute, as under lxc-execute) and network
    // interfaces (src/net applies every type under both).

    if (!sec.apparmor_profile.empty() && sec.apparmor_profile != "unconfined" &&
        sec.apparmor_profile != "unchanged")
        add_key("lxc.apparmor.profile", sec.apparmor_profile, "AppArmor is not supported yet");
    for (const auto& raw : sec.apparmor_raw)
        add_key("lxc.apparmor.raw", raw, "AppArmor is not supported yet");
    if (!sec.selinux_context.empty())
        add_key("lxc.selinux.context", sec.selinux_context, "SELinux is not supported yet");
    if (!sec.selinux_context_keyring.empty())
        add_key("lxc.selinux.context.keyring", sec.selinux_context_keyring,
                "SELinux is not supported yet");
    if (!sec.seccomp.profile_path.empty())
        add_key("lxc.seccomp.profile", sec.seccomp.profile_path,
                "seccomp profiles are not supported yet");
    if (!sec.seccomp.notify_proxy.empty())
        add_key("lxc.seccomp.notify.proxy", sec.seccomp.notify_proxy,
                "seccomp notification is not supported yet");

    // Every hook type but clone runs (src/hooks); clone hooks run only when a
    // container is copied (a note in cfg.notes).

    const auto& con = cfg.spec.console;
    const std::string console_reason =
        "the console is provided by the monitor (kiste start), not available yet";
    if (!con.path.empty()) add_key("lxc.console.path", con.path, console_reason);
    if (!start && !con.logfile.empty()) add_key("lxc.console.logfile", con.logfile, console_reason);
    if (con.buffer_size)
        add_key("lxc.console.buffer.size", std::to_string(con.buffer_size), console_reason);
    if (con.size) add_key("lxc.console.size", std::to_string(con.size), console_reason);
    if (con.rotate) add_key("lxc.console.rotate", "1", console_reason);
    // The ttys are bound into the /dev kiste makes; without one they would
    // be allocated and never reached.
    if (!start && cfg.spec.dev.tty_max > 0 && (s.rootfs.path.empty() || !s.dev.autodev))
        add_key("lxc.tty.max", std::to_string(cfg.spec.dev.tty_max),
                "ttys are bound into the /dev kiste makes, which needs lxc.rootfs.path and "
                "lxc.autodev = 1");
    if (!start && cfg.spec.dev.kmsg)
        add_key("lxc.kmsg", "1", "a /dev/kmsg for the console is not supported yet");
    if (cfg.autodev_tmpfs_size)
        add_key("lxc.autodev.tmpfs.size", std::to_string(*cfg.autodev_tmpfs_size),
                "the size of the /dev tmpfs is not configurable yet");

    for (const auto& [name, value] : cfg.proc)
        add_key("lxc.proc." + name, value, "lxc.proc.* is not applied yet");
    if (cfg.sched_core.value_or(false))
        add_key("lxc.sched.core", "1", "core scheduling is not supported yet");
    if (!cfg.log_syslog.empty())
        add_key("lxc.log.syslog", cfg.log_syslog, "logging to syslog is not supported yet");

    if (auto dir = storage::ops_for(s.rootfs.source);
        !dir && s.rootfs.source.kind != RootfsSource::Kind::None)
        add_key("lxc.rootfs.path", cfg.rootfs_path, dir.error().root());
    if (cfg.spec.rootfs.options.find("idmap=") != std::string::npos)
        add_key("lxc.rootfs.options", cfg.spec.rootfs.options,
                "idmapped rootfs mounts are not supported yet");

    constexpr std::string_view k32bit[] = {"arm",  "armel",  "armhf", "armv7l",  "athlon",
                                           "i386", "i486",   "i586",  "i686",    "linux32",
                                           "mips", "mipsel", "ppc",   "powerpc", "x86"};
    for (auto a : k32bit)
        if (cfg.spec.arch == a)
            add_key("lxc.arch", cfg.spec.arch, "a 32-bit personality is not set yet");

    for (const auto& [name, value] : cfg.ns_share)
        if (!parse_u64(value) && value.front() != '/')
            add_key("lxc.namespace.share." + name, value,
                    "sharing a namespace by container name needs kiste's state, not available yet");
}

}  // namespace kiste::lxc::detail
