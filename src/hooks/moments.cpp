// The hook moments of hooks.hpp: LXC's arguments and environment, and the
// namespaces kept for the stop hooks.
#include <fcntl.h>
#include <unistd.h>

#include <array>

#include "hooks/hooks.hpp"
#include "hooks/runner.hpp"
#include "storage/storage.hpp"

extern char** environ;

namespace kiste::hooks {

namespace {

constexpr std::array<std::string_view, 9> kTypeNames = {"pre-start", "pre-mount",  "mount",
                                                        "autodev",   "start-host", "start",
                                                        "stop",      "post-stop",  "destroy"};

// The namespaces of /proc/PID/ns, with LXC's environment names for version 1.
struct NsName {
    NsKind kind;
    const char* proc_name;
    const char* env_name;
};
constexpr std::array<NsName, 8> kNamespaces = {{
    {NsKind::Mount, "mnt", "LXC_MNT_NS"},
    {NsKind::Pid, "pid", "LXC_PID_NS"},
    {NsKind::Uts, "uts", "LXC_UTS_NS"},
    {NsKind::Ipc, "ipc", "LXC_IPC_NS"},
    {NsKind::User, "user", "LXC_USER_NS"},
    {NsKind::Net, "net", "LXC_NET_NS"},
    {NsKind::Cgroup, "cgroup", "LXC_CGROUP_NS"},
    {NsKind::Time, "time", "LXC_TIME_NS"},
}};

const char* ns_env_name(std::string_view proc_name) {
    for (const auto& n : kNamespaces)
        if (proc_name == n.proc_name) return n.env_name;
    return "LXC_UNKNOWN_NS";
}

bool version_1(const ContainerSpec& spec) {
    return spec.hooks.version == "1";
}

// Where the hooks find the container's root on the host: lxc.rootfs.mount,
// else the rootfs itself (kiste binds it onto itself); "/" for a container
// on the host's file system.
std::string rootfs_mount(const ContainerSpec& spec) {
    if (!spec.rootfs.mount.empty()) return spec.rootfs.mount;
    // rootfs.path is the directory the storage backend provides.
    return spec.rootfs.path.empty() ? "/" : spec.rootfs.path;
}

std::vector<std::string> own_environment() {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
    return out;
}

// The namespace references of the stop hooks: "/proc/KISTE_PID/fd/N".
std::string fd_path(int fd) {
    return fmt::format("/proc/{}/fd/{}", ::getpid(), fd);
}

}  // namespace

std::string_view type_name(Type t) {
    return kTypeNames.at(static_cast<size_t>(t));
}

std::optional<Type> parse_type(std::string_view name) {
    for (size_t i = 0; i < kTypeNames.size(); ++i)
        if (kTypeNames[i] == name) return static_cast<Type>(i);
    return std::nullopt;
}

const std::vector<Hook>& hooks_of(const ContainerSpec& spec, Type t) {
    const Hooks& h = spec.hooks;
    switch (t) {
        case Type::PreStart: return h.pre_start;
        case Type::PreMount: return h.pre_mount;
        case Type::Mount: return h.mount;
        case Type::Autodev: return h.autodev;
        case Type::StartHost: return h.start_host;
        case Type::Start: return h.start;
        case Type::Stop: return h.stop;
        case Type::PostStop: return h.post_stop;
        case Type::Destroy: return h.destroy;
    }
    return h.destroy;
}

std::vector<std::string> hook_environment(const ContainerSpec& spec, Type t, const Moment& m,
                                          const std::vector<std::string>& base) {
    std::vector<std::string> env;
    env.reserve(base.size() + 16);
    for (const auto& e : base)
        if (!e.starts_with("LXC_")) env.push_back(e);
    auto set = [&env](std::string_view key, const std::string& value) {
        env.push_back(fmt::format("{}={}", key, value));
    };
    set("LXC_NAME", spec.name);
    if (!spec.hooks.config_file.empty()) set("LXC_CONFIG_FILE", spec.hooks.config_file);
    set("LXC_ROOTFS_MOUNT", rootfs_mount(spec));
    // LXC's lxc.rootfs.path, with its storage kind ("dir:/var/lib/...").
    if (spec.rootfs.source.kind != RootfsSource::Kind::None)
        set("LXC_ROOTFS_PATH", storage::format_source(spec.rootfs.source));
    else if (!spec.rootfs.path.empty())
        set("LXC_ROOTFS_PATH", spec.rootfs.path);
    if (!spec.console.path.empty()) set("LXC_CONSOLE", spec.console.path);
    if (!spec.console.logfile.empty()) set("LXC_CONSOLE_LOGPATH", spec.console.logfile);
    if (::access("/proc/self/ns/cgroup", F_OK) == 0) set("LXC_CGNS_AWARE", "1");
    set("LXC_LOG_LEVEL", spec.hooks.log_level.empty() ? "ERROR" : spec.hooks.log_level);
    set("LXC_HOOK_VERSION", version_1(spec) ? "1" : "0");
    if (version_1(spec)) {
        set("LXC_HOOK_TYPE", std::string(type_name(t)));
        set("LXC_HOOK_SECTION", "lxc");
    }
    if (m.pid > 0) set("LXC_PID", std::to_string(m.pid));
    if (m.reboot) set("LXC_TARGET", *m.reboot ? "reboot" : "stop");
    // LXC sets lxc.environment before its start hooks run.
    if (t == Type::Start)
        for (const auto& e : spec.process.env)
            if (e.find('=') != std::string::npos) env.push_back(e);
    env.insert(env.end(), m.env.begin(), m.env.end());
    return env;
}

std::vector<std::string> hook_arguments(const ContainerSpec& spec, Type t, const Moment& m) {
    std::vector<std::string> args;
    if (!version_1(spec)) args = {spec.name, "lxc", std::string(type_name(t))};
    args.insert(args.end(), m.args.begin(), m.args.end());
    return args;
}

Status run_hooks(const ContainerSpec& spec, Type t, const Moment& m, Logger& log) {
    const std::vector<Hook>& list = hooks_of(spec, t);
    if (list.empty()) return {};
    Invocation inv;
    inv.args = hook_arguments(spec, t, m);
    inv.env = hook_environment(spec, t, m, own_environment());
    for (const Hook& hook : list) {
        const int seconds =
            hook.timeout_seconds > 0 ? hook.timeout_seconds : spec.hooks.timeout_seconds;
        inv.timeout = std::chrono::seconds(seconds > 0 ? seconds : 60);
        KISTE_TRY(run_hook(hook, inv, log));
    }
    return {};
}

Status check_runnable(const ContainerSpec& spec) {
    if (spec.ns_new(NsKind::Mount)) return {};
    for (Type t : {Type::PreMount, Type::Mount, Type::Autodev})
        if (!hooks_of(spec, t).empty())
            return fail("{}: {} hooks run in the container's own mount namespace, which it has not",
                        describe(hooks_of(spec, t).front()), type_name(t));
    return {};
}

Result<ContainerRefs> keep_container_refs(const ContainerSpec& spec, pid_t init) {
    ContainerRefs refs;
    refs.pid = init;
    if (spec.hooks.stop.empty()) return refs;
    for (const auto& n : kNamespaces) {
        if (!spec.ns_new(n.kind)) continue;
        const std::string path = fmt::format("/proc/{}/ns/{}", init, n.proc_name);
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return fail_errno("opening {} for the stop hooks", path);
        refs.namespaces.emplace_back(n.proc_name, std::move(fd));
    }
    return refs;
}

void run_stop_hooks(const ContainerSpec& spec, const ContainerRefs& ran, bool reboot, Logger& log) {
    if (ran.pid <= 0 || spec.hooks.stop.empty()) return;
    Moment m{.pid = ran.pid, .reboot = reboot};
    for (const auto& [name, fd] : ran.namespaces) {
        if (version_1(spec))
            m.env.push_back(fmt::format("{}={}", ns_env_name(name), fd_path(fd.get())));
        else
            m.args.push_back(fmt::format("{}:{}", name, fd_path(fd.get())));
    }
    if (auto st = run_hooks(spec, Type::Stop, m, log); !st)
        log.error("container {}: {}", spec.name, st.error().message());
}

void run_post_stop_hooks(const ContainerSpec& spec, const ContainerRefs& ran, bool reboot,
                         Logger& log) {
    if (ran.pid <= 0 || spec.hooks.post_stop.empty()) return;
    if (auto st = run_hooks(spec, Type::PostStop, Moment{.pid = ran.pid, .reboot = reboot}, log);
        !st)
        log.error("container {}: {}", spec.name, st.error().message());
}

Status run_destroy_hooks(const ContainerSpec& spec, Logger& log) {
    return run_hooks(spec, Type::Destroy, {}, log);
}

}  // namespace kiste::hooks
