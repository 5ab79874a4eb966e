// ContainerSpec: the one model of a container. The LXC config converter (and
// an OCI config.json converter) produce it; the runtime consumes only
// it. Nothing here knows which front-end filled it in.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiste {

// ---------------------------------------------------------------- namespaces
enum class NsKind { Mount, Uts, Ipc, Pid, Net, User, Cgroup, Time };
inline constexpr std::array<NsKind, 8> kAllNamespaces = {NsKind::User,   NsKind::Mount, NsKind::Uts,
                                                         NsKind::Ipc,    NsKind::Pid,   NsKind::Net,
                                                         NsKind::Cgroup, NsKind::Time};

struct NamespaceConfig {
    enum class Mode {
        New,   // a fresh namespace
        Host,  // keep the namespace of the process that starts the container
        Join,  // enter an existing one: `path` (e.g. /proc/PID/ns/net)
    };
    Mode mode = Mode::Host;
    std::string path;  // for Join
};

struct IdMapping {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t count = 0;
};

// ---------------------------------------------------------------- rootfs and mounts
// Where a container's root file system comes from, with the kinds LXC's
// storage backends have (src/storage/ holds the backends; `dir` is one).
struct RootfsSource {
    enum class Kind { None, Dir, Overlay, Loop, Btrfs, Zfs, Lvm, Rbd, Nbd };
    Kind kind = Kind::None;  // None: an application container on the host's file system
    // dir, btrfs: the directory; overlay: the lower directory; loop, nbd: the
    // image file; zfs: the dataset; lvm: the device; rbd: pool/image.
    std::string path;
    // What else the kind needs: overlay's upper directory; nbd's partition.
    std::vector<std::string> options;
    bool operator==(const RootfsSource&) const = default;
};

struct RootfsConfig {
    RootfsSource source;
    // The host directory the container's root is made from, as the storage
    // backend provides it (a dir source: its path). Empty without a rootfs,
    // and for a kind that has no backend yet.
    std::string path;
    std::string mount;    // where the rootfs is staged on the host (lxc.rootfs.mount)
    std::string options;  // extra mount options for the rootfs bind (e.g. "ro")
    bool readonly = false;
    bool managed = true;  // kiste created the rootfs (destroy removes it)
    // Propagation of / inside the container: MS_PRIVATE, MS_SLAVE or MS_SHARED.
    unsigned long propagation = 0;
};

struct MountEntry {
    std::string source;
    std::string target;             // absolute inside the container, or relative to the rootfs
    std::string fstype;             // "none" / empty for binds
    unsigned long flags = 0;        // MS_* flags
    unsigned long propagation = 0;  // MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (| MS_REC)
    std::string data;               // filesystem-specific options
    bool optional = false;          // a failure is logged, not fatal
    // LXC's "relative" option: `source` is a path inside the container's
    // rootfs (resolved in the root like a target), not a host path.
    bool relative_source = false;
    enum class Create { None, Dir, File };
    Create create = Create::None;
    std::string origin;  // where it came from, for errors ("config:12")
};

struct AutoMounts {
    enum class Proc { None, Mixed, Rw };
    enum class Sys { None, Mixed, Ro, Rw };
    enum class Cgroup { None, Mixed, Ro, Rw, FullMixed, FullRo, FullRw };
    Proc proc = Proc::None;
    Sys sys = Sys::None;
    Cgroup cgroup = Cgroup::None;
    bool cgroup_force = false;  // LXC's ":force" suffix
    bool shmounts = false;
    std::string shmounts_host;
    std::string shmounts_container;
};

// Paths masked (an empty file/tmpfs over them) or made read-only inside.
struct PathMasks {
    std::vector<std::string> masked;
    std::vector<std::string> readonly;
};

// ---------------------------------------------------------------- devices
struct DeviceNode {
    std::string path;  // inside the container
    char type = 'c';   // 'c', 'b', 'p'
    int64_t major = 0;
    int64_t minor = 0;
    uint32_t mode = 0666;
    uint32_t uid = 0;
    uint32_t gid = 0;
};

struct DevConfig {
    bool autodev = true;            // a tmpfs /dev with the standard nodes
    std::vector<DeviceNode> extra;  // more nodes to create (OCI linux.devices)
    uint32_t pty_max = 0;           // devpts max; 0 = kernel default
    uint32_t tty_max = 0;           // lxc.tty.max: ttys the monitor provides
    std::string tty_dir;            // lxc.tty.dir
    bool kmsg = false;              // legacy lxc.kmsg: /dev/kmsg -> console
};

// ---------------------------------------------------------------- cgroups
struct DeviceRule {
    bool allow = true;
    char type = 'a';     // 'a', 'c', 'b'
    int64_t major = -1;  // -1 = '*'
    int64_t minor = -1;
    std::string access = "rwm";
};

// One raw cgroup file setting in config order. `version` says which layout
// the key was written for (1: lxc.cgroup.*, 2: lxc.cgroup2.*).
struct CgroupSetting {
    int version = 1;
    std::string key;  // e.g. "memory.limit_in_bytes"
    std::string value;
    std::string origin;  // "file:line"
};

// Limits in a layout-neutral form. The cgroup managers write each
// controller's files from these (cgroup/v1, cgroup/v2), translating between
// the layouts where a value has a v1 and a v2 form: a field named for one
// layout (cpu_shares, cpu_weight) is preferred on its layout and converted
// on the other.
struct Resources {
    std::optional<int64_t> memory_limit;        // bytes, -1 unlimited
    std::optional<int64_t> memory_swap_limit;   // memory+swap bytes (v1 memsw semantics)
    std::optional<int64_t> memory_swap;         // swap alone (v2 memory.swap.max), -1 unlimited
    std::optional<int64_t> memory_reservation;  // soft limit (v2 memory.low)
    std::optional<int64_t> memory_swappiness;
    std::optional<bool> oom_kill_disable;
    std::optional<uint64_t> cpu_shares;  // v1 shares 2..262144
    std::optional<uint64_t> cpu_weight;  // v2 weight 1..10000
    std::optional<int64_t> cpu_quota;    // us, -1 unlimited
    std::optional<uint64_t> cpu_period;  // us
    std::optional<int64_t> cpu_rt_runtime;
    std::optional<uint64_t> cpu_rt_period;
    std::string cpuset_cpus;
    std::string cpuset_mems;
    std::optional<int64_t> pids_limit;     // -1 unlimited
    std::optional<uint16_t> blkio_weight;  // v1 10..1000
    std::optional<uint16_t> io_weight;     // v2 1..10000
    struct DeviceWeight {
        int64_t major, minor;
        uint16_t weight;
    };
    std::vector<DeviceWeight> blkio_weight_device;  // v1 weights
    std::vector<DeviceWeight> io_weight_device;     // v2 weights
    struct Throttle {
        int64_t major, minor;
        uint64_t rate;  // 0: no limit
    };
    std::vector<Throttle> throttle_read_bps, throttle_write_bps, throttle_read_iops,
        throttle_write_iops;
    struct HugepageLimit {
        std::string pagesize;  // "2MB"
        int64_t limit;         // bytes, -1 unlimited
    };
    std::vector<HugepageLimit> hugepage_limits;
    std::optional<uint32_t> net_cls_classid;
    std::vector<DeviceRule>
        devices;  // in order; the first matching rule wins last-to-first like v1
    // Where a value came from, for messages: the field's name ("memory_limit",
    // "devices") -> the config line that set it. Values without an entry
    // came from a structured spec (OCI).
    std::map<std::string, CgroupSetting> origins;
};

struct CgroupConfig {
    // Raw per-file settings in config order, for the files the typed model
    // does not cover (and, before the LXC front-end's to_spec, all of them).
    using Setting = CgroupSetting;
    std::vector<Setting> settings;
    Resources resources;  // structured limits (OCI linux.resources; lxc.cgroup.* keys)
    // The limits of lxc.cgroup2.* keys: on a v2 host they win over
    // `resources` field by field, on a v1 host `resources` wins (a config
    // may carry both variants of a limit, as LXC's common configs do).
    Resources resources_v2;
    std::string dir;            // lxc.cgroup.dir: the container's cgroup path
    std::string dir_container;  // lxc.cgroup.dir.container
    std::string dir_monitor;    // lxc.cgroup.dir.monitor
    std::string dir_monitor_pivot;
    std::string dir_container_inner;
    bool relative = false;        // lxc.cgroup.relative
    bool systemd_driver = false;  // OCI --systemd-cgroup
};

// ---------------------------------------------------------------- network
// An IPv4 or IPv6 address: its family and its bytes in network order.
struct IpAddress {
    int family = 0;                   // AF_INET or AF_INET6; 0: none
    std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4
    // inet_pton's forms ("10.0.3.5", "2001:db8::5"); `family` 0 takes either.
    static std::optional<IpAddress> parse(std::string_view text, int family = 0);
    static IpAddress any(int family);             // 0.0.0.0 or ::
    [[nodiscard]] std::string to_string() const;  // inet_ntop's form; "" for none
    [[nodiscard]] size_t size() const {
        return family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;
    }
    [[nodiscard]] bool empty() const { return family == 0; }
    [[nodiscard]] bool v6() const { return family == AF_INET6; }
    // Whether it lies in NETWORK/PREFIX (false across families).
    [[nodiscard]] bool in_subnet(const IpAddress& network, unsigned prefix) const;
    bool operator==(const IpAddress&) const = default;
};

// ADDRESS/PREFIX: a subnet or a route's destination.
struct IpPrefix {
    IpAddress address;
    uint8_t prefix = 0;
    // "10.0.0.0/24", "2001:db8::/64" (the prefix is required).
    static std::optional<IpPrefix> parse(std::string_view text, int family = 0);
    [[nodiscard]] std::string to_string() const;
    bool operator==(const IpPrefix&) const = default;
};

struct NetInterface {
    std::string type;    // empty, none, veth, macvlan, ipvlan, vlan, phys
    std::string name;    // name inside the container
    std::string link;    // host-side parent / bridge / phys device
    std::string hwaddr;  // may hold LXC's 'x' random digits until the start
    std::optional<uint32_t> mtu;
    bool up = false;  // flags = up
    struct Address {
        IpAddress address;
        uint8_t prefix = 0;
        IpAddress broadcast;  // IPv4 only; none: the subnet's last address
        bool operator==(const Address&) const = default;
    };
    std::vector<Address> ipv4, ipv6;
    struct Gateway {
        enum class Kind {
            None,
            Auto,     // the address of `link` on the host
            Dev,      // a device route: everything out of the interface
            Address,  // `address`
        };
        Kind kind = Kind::None;
        IpAddress address;
        bool operator==(const Gateway&) const = default;
    };
    Gateway ipv4_gateway, ipv6_gateway;
    std::string veth_pair;                                     // host-side name
    std::string veth_mode;                                     // bridge | router
    std::vector<IpPrefix> veth_ipv4_routes, veth_ipv6_routes;  // host routes to the container
    std::optional<uint16_t> veth_vlan_id;
    std::vector<uint16_t> veth_vlan_tagged_ids;
    std::string macvlan_mode;      // private|vepa|bridge|passthru
    std::string ipvlan_mode;       // l2|l3|l3s
    std::string ipvlan_isolation;  // bridge|private|vepa
    std::optional<uint16_t> vlan_id;
    std::string script_up, script_down;
    bool l2proxy = false;
    bool secure = false;  // kiste.net.N.secure: venet-like anti-spoofing
    std::string origin;
};

// ---------------------------------------------------------------- security
// Capability sets as bit masks (bit N = capability N).
struct CapabilitySets {
    uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};

struct SeccompRule {
    std::string syscall;
    std::string action;  // allow, errno, kill, trap, trace, log, notify
    int errno_value = 0;
    struct Arg {
        unsigned index;
        std::string op;
        uint64_t value;
        uint64_t value2;
    };
    std::vector<Arg> args;
};
struct SeccompConfig {
    std::string profile_path;  // lxc.seccomp.profile (LXC's policy file)
    std::string default_action;
    int default_errno = 0;
    std::vector<std::string> architectures;
    std::vector<SeccompRule> rules;
    bool allow_nesting = false;
    std::string notify_proxy;
    std::string notify_cookie;
    [[nodiscard]] bool empty() const {
        return profile_path.empty() && rules.empty() && default_action.empty();
    }
};

struct SecurityConfig {
    std::optional<CapabilitySets> caps;  // nullopt: keep what the starter has
    bool no_new_privs = false;
    std::string apparmor_profile;
    bool apparmor_allow_incomplete = false;
    bool apparmor_allow_nesting = false;
    std::vector<std::string> apparmor_raw;
    std::string selinux_context;
    std::string selinux_context_keyring;
    SeccompConfig seccomp;
    PathMasks paths;
};

struct Rlimit {
    int resource = 0;   // RLIMIT_*
    std::string name;   // "nofile"
    uint64_t soft = 0;  // RLIM_INFINITY for unlimited
    uint64_t hard = 0;
};

// ---------------------------------------------------------------- process
struct ProcessSpec {
    std::vector<std::string> args;
    std::vector<std::string> env;  // "KEY=VALUE", final
    std::string cwd = "/";
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::vector<uint32_t> additional_gids;
    bool terminal = false;
    std::vector<Rlimit> rlimits;
    // Run the args under kiste's minimal init (signal forwarding, reaping).
    bool use_init = false;
};

// ---------------------------------------------------------------- console
struct ConsoleConfig {
    std::string path;  // lxc.console.path: "none", a host device, or empty (a pty)
    std::string logfile;
    uint64_t buffer_size = 0;
    uint64_t size = 0;
    bool rotate = false;
};

// ---------------------------------------------------------------- hooks
// A hook: a program run at one moment of the container's life (see
// src/hooks/hooks.hpp for the moments, their arguments and environment).
struct Hook {
    std::string path{};
    std::vector<std::string> args{};  // argv, args[0] included; empty: {path}
    std::vector<std::string> env{};   // "K=V", added to what the moment sets
    int timeout_seconds = 0;          // 0: Hooks::timeout_seconds
    // For messages: what the hook is ("/usr/share/lxcfs/lxc.mount.hook") and
    // where the front-end found it ("lxc.hook.mount, /etc/lxc/c1.conf:3").
    std::string name{};
    std::string origin{};
};
struct Hooks {
    // LXC's hook points; OCI's map onto these (prestart=pre_start,
    // createRuntime=pre_mount, createContainer=mount, startContainer=start,
    // poststart=start_host, poststop=post_stop).
    std::vector<Hook> pre_start, pre_mount, mount, autodev, start_host, start, stop, post_stop,
        clone, destroy;
    std::string version = "0";  // lxc.hook.version: 0 = args, 1 = env
    // The longest a hook may run before it is killed and its step fails
    // (kiste.hook.timeout; a hook never hangs kiste).
    int timeout_seconds = 60;
    // What the hooks are told in their environment (LXC_CONFIG_FILE,
    // LXC_LOG_LEVEL); empty: not set, and ERROR.
    std::string config_file;
    std::string log_level;
};

// ---------------------------------------------------------------- the whole
struct ContainerSpec {
    std::string name;
    std::string arch;
    std::string hostname;
    std::string domainname;

    ProcessSpec process;
    RootfsConfig rootfs;
    std::vector<MountEntry> mounts;  // in order
    AutoMounts auto_mounts;
    DevConfig dev;

    std::map<NsKind, NamespaceConfig> namespaces;
    std::vector<IdMapping> uid_map, gid_map;
    std::optional<int64_t> time_offset_boottime_ns;
    std::optional<int64_t> time_offset_monotonic_ns;

    CgroupConfig cgroup;
    std::vector<NetInterface> network;
    SecurityConfig security;
    std::vector<std::pair<std::string, std::string>> sysctls;  // "net.ipv4.ip_forward", "1"
    ConsoleConfig console;
    Hooks hooks;

    bool keyring_session = true;
    bool ephemeral = false;

    // Signals for the manager (halt/reboot/stop), by number; 0 = default.
    int signal_halt = 0;
    int signal_reboot = 0;
    int signal_stop = 0;

    // Keys the front-end parsed that this runtime cannot apply yet; the
    // command that would need them reports them (never silently ignored).
    struct Unapplied {
        std::string key;
        std::string value;
        std::string origin;
        std::string reason;
    };
    std::vector<Unapplied> unapplied;

    [[nodiscard]] bool ns_new(NsKind k) const {
        auto it = namespaces.find(k);
        return it != namespaces.end() && it->second.mode == NamespaceConfig::Mode::New;
    }
};

const char* ns_name(NsKind k);  // "mnt", "uts", ...
int ns_clone_flag(NsKind k);    // CLONE_NEW*

}  // namespace kiste
