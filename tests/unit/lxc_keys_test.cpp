// Every key family of lxc.container.conf(5): set, get (config syntax) and
// clear, through the public API.
#include <gtest/gtest.h>

#include <csignal>

#include "config/lxc/config.hpp"

namespace kiste::lxc {
namespace {

struct RoundTrip {
    const char* key;
    const char* value;
    std::string expect;       // get_key after set_key
    std::string after_clear;  // get_key after clear_key (and after an empty value)
};

std::string get(const LxcConfig& c, std::string_view key) {
    auto r = get_key(c, key);
    EXPECT_TRUE(r) << key << ": " << (r ? "" : r.error().message());
    return r ? *r : std::string("<error>");
}

void check(const RoundTrip& t) {
    SCOPED_TRACE(t.key);
    LxcConfig c;
    auto st = set_key(c, t.key, t.value, "test:1");
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(get(c, t.key), t.expect);
    ASSERT_TRUE(clear_key(c, t.key));
    EXPECT_EQ(get(c, t.key), t.after_clear);
    // An empty value clears too (LXC's rule for every key).
    ASSERT_TRUE(set_key(c, t.key, t.value, "test:2"));
    ASSERT_TRUE(set_key(c, t.key, "", "test:3"));
    EXPECT_EQ(get(c, t.key), t.after_clear);
}

TEST(LxcKeys, ProcessFamily) {
    const std::string rtmin3 = std::to_string(SIGRTMIN + 3);
    for (const auto& t : std::vector<RoundTrip>{
             {"lxc.arch", "x86_64", "x86_64", ""},
             {"lxc.uts.name", "zeig", "zeig", ""},
             {"lxc.init.cmd", "/sbin/init --log-level=debug", "/sbin/init --log-level=debug", ""},
             {"lxc.execute.cmd", "/bin/sh -c 'echo hi'", "/bin/sh -c 'echo hi'", ""},
             {"lxc.init.cwd", "/srv", "/srv", "/"},
             {"lxc.init.uid", "1000", "1000", "0"},
             {"lxc.init.gid", "100", "100", "0"},
             {"lxc.init.groups", "10, 20", "10,20", ""},
             {"lxc.signal.halt", "SIGPWR", std::to_string(SIGPWR), ""},
             {"lxc.signal.reboot", "int", std::to_string(SIGINT), ""},
             {"lxc.signal.stop", "SIGRTMIN+3", rtmin3, ""},
             {"lxc.proc.oom_score_adj", "10", "10", ""},
             {"lxc.ephemeral", "1", "1", "0"},
             {"lxc.environment", "APP_ENV=production", "APP_ENV=production", ""},
             {"lxc.prlimit.nofile", "1024:2048", "1024:2048", ""},
             {"lxc.prlimit.nproc", "unlimited", "unlimited", ""},
             {"lxc.prlimit.core", "0", "0", ""},
             {"lxc.sysctl.net.ipv4.ip_forward", "1", "1", ""},
             {"lxc.keyring.session", "0", "0", "1"},
             {"lxc.sched.core", "1", "1", ""},
         })
        check(t);
}

TEST(LxcKeys, NetworkFamily) {
    // The interface stays after a sub-key is cleared, so get gives "".
    for (const auto& t : std::vector<RoundTrip>{
             {"lxc.net.0.type", "veth", "veth", ""},
             {"lxc.net.0.flags", "up", "up", ""},
             {"lxc.net.0.link", "br0", "br0", ""},
             {"lxc.net.0.l2proxy", "1", "1", "0"},
             {"lxc.net.0.mtu", "1500", "1500", ""},
             {"lxc.net.0.name", "eth0", "eth0", ""},
             {"lxc.net.0.hwaddr", "4a:49:43:49:79:bf", "4a:49:43:49:79:bf", ""},
             {"lxc.net.0.ipv4.address", "10.2.3.5/24 10.2.3.255", "10.2.3.5/24 10.2.3.255", ""},
             {"lxc.net.0.ipv4.gateway", "auto", "auto", ""},
             {"lxc.net.0.ipv6.address", "2003:db8:1:0:214:1234:fe0b:3597",
              "2003:db8:1:0:214:1234:fe0b:3597/64", ""},
             {"lxc.net.0.ipv6.gateway", "dev", "dev", ""},
             {"lxc.net.0.script.up", "/usr/local/bin/up", "/usr/local/bin/up", ""},
             {"lxc.net.0.script.down", "/usr/local/bin/down", "/usr/local/bin/down", ""},
             {"lxc.net.0.veth.pair", "vethhost0", "vethhost0", ""},
             {"lxc.net.0.veth.mode", "router", "router", ""},
             {"lxc.net.0.veth.ipv4.route", "10.0.0.0/24", "10.0.0.0/24", ""},
             {"lxc.net.0.veth.ipv6.route", "2001:db8::/64", "2001:db8::/64", ""},
             {"lxc.net.0.veth.vlan.id", "none", "none", ""},
             {"lxc.net.0.veth.vlan.tagged.id", "10", "10", ""},
             {"lxc.net.1.macvlan.mode", "bridge", "bridge", ""},
             {"lxc.net.1.ipvlan.mode", "l3s", "l3s", ""},
             {"lxc.net.1.ipvlan.isolation", "vepa", "vepa", ""},
             {"lxc.net.7.vlan.id", "100", "100", ""},
             {"kiste.net.0.secure", "1", "1", "0"},
         })
        check(t);
}

TEST(LxcKeys, MountFamily) {
    for (const auto& t : std::vector<RoundTrip>{
             {"lxc.mount.fstab", "/etc/fstab.complex", "/etc/fstab.complex", ""},
             {"lxc.mount.entry", "proc proc proc nodev,noexec,nosuid 0 0",
              "proc proc proc nodev,noexec,nosuid 0 0", ""},
             {"lxc.mount.auto", "proc:mixed sys:ro cgroup:mixed:force",
              "proc:mixed sys:ro cgroup:mixed:force", ""},
             {"lxc.rootfs.path", "dir:/var/lib/kiste/c1/rootfs", "dir:/var/lib/kiste/c1/rootfs",
              ""},
             {"lxc.rootfs.mount", "/usr/lib/kiste/rootfs", "/usr/lib/kiste/rootfs", ""},
             {"lxc.rootfs.options", "ro", "ro", ""},
             {"lxc.rootfs.managed", "0", "0", "1"},
             {"lxc.autodev", "0", "0", "1"},
             {"lxc.autodev.tmpfs.size", "1000000", "1000000", ""},
             {"lxc.pty.max", "1024", "1024", "0"},
             {"lxc.tty.max", "4", "4", "0"},
             {"lxc.tty.dir", "lxc", "lxc", ""},
             {"lxc.console.path", "none", "none", ""},
             {"lxc.console.logfile", "/var/log/c1.console", "/var/log/c1.console", ""},
             {"lxc.console.rotate", "1", "1", "0"},
             {"lxc.console.buffer.size", "auto", "131072", ""},
             {"lxc.console.size", "1MB", "1048576", ""},
         })
        check(t);
}

TEST(LxcKeys, SecurityFamily) {
    for (const auto& t : std::vector<RoundTrip>{
             {"lxc.cap.drop", "sys_module CAP_SYS_ADMIN Mknod", "sys_module\nsys_admin\nmknod", ""},
             {"lxc.cap.keep", "chown net_raw", "chown\nnet_raw", ""},
             {"lxc.cap.keep", "none", "none", ""},
             {"lxc.idmap", "u 0 100000 65536", "u 0 100000 65536", ""},
             {"lxc.apparmor.profile", "unconfined", "unconfined", ""},
             {"lxc.apparmor.allow_incomplete", "1", "1", "0"},
             {"lxc.apparmor.allow_nesting", "1", "1", "0"},
             {"lxc.apparmor.raw", "mount fstype=proc,", "mount fstype=proc,", ""},
             {"lxc.selinux.context", "system_u:system_r:lxc_t:s0:c22",
              "system_u:system_r:lxc_t:s0:c22", ""},
             {"lxc.selinux.context.keyring", "system_u:system_r:lxc_t:s0:c22",
              "system_u:system_r:lxc_t:s0:c22", ""},
             {"lxc.seccomp.profile", "/usr/share/lxc/config/common.seccomp",
              "/usr/share/lxc/config/common.seccomp", ""},
             {"lxc.seccomp.allow_nesting", "1", "1", "0"},
             {"lxc.seccomp.notify.proxy", "unix:@kiste-seccomp", "unix:@kiste-seccomp", ""},
             {"lxc.seccomp.notify.cookie", "abc", "abc", ""},
             {"lxc.no_new_privs", "1", "1", "0"},
         })
        check(t);
}

TEST(LxcKeys, NamespaceFamily) {
    for (const auto& t : std::vector<RoundTrip>{
             {"lxc.namespace.clone", "mount net ipc", "mnt net ipc", ""},
             {"lxc.namespace.keep", "user net", "user net", ""},
             {"lxc.namespace.share.net", "42", "42", ""},
             {"lxc.namespace.share.uts", "other-container", "other-container", ""},
             {"lxc.namespace.share.time", "/proc/1/ns/time", "/proc/1/ns/time", ""},
             {"lxc.time.offset.boot", "5s", "5s", ""},
             {"lxc.time.offset.monotonic", "-1500ms", "-1500ms", ""},
             {"lxc.time.offset.boot", "90m", "90m", ""},
             {"lxc.time.offset.boot", "120m", "2h", ""},
         })
        check(t);
}

TEST(LxcKeys, CgroupFamily) {
    for (const auto& t : std::vector<RoundTrip>{
             {"lxc.cgroup.memory.limit_in_bytes", "512M", "512M", ""},
             {"lxc.cgroup.devices.allow", "c 1:3 rwm", "c 1:3 rwm", ""},
             {"lxc.cgroup.cpuset.cpus", "0-1,3", "0-1,3", ""},
             {"lxc.cgroup2.memory.high", "1G", "1G", ""},
             {"lxc.cgroup2.devices.deny", "a", "a", ""},
             {"lxc.cgroup.dir", "my-cgroup/first", "my-cgroup/first", ""},
             {"lxc.cgroup.dir.container", "c", "c", ""},
             {"lxc.cgroup.dir.monitor", "m", "m", ""},
             {"lxc.cgroup.dir.monitor.pivot", "p", "p", ""},
             {"lxc.cgroup.dir.container.inner", "inner", "inner", ""},
             {"lxc.cgroup.relative", "1", "1", "0"},
         })
        check(t);
}

TEST(LxcKeys, MiscFamily) {
    for (const auto& t : std::vector<RoundTrip>{
             {"lxc.hook.pre-start", "/usr/local/bin/prestart arg", "/usr/local/bin/prestart arg",
              ""},
             {"lxc.hook.pre-mount", "/bin/true", "/bin/true", ""},
             {"lxc.hook.mount", "/bin/true", "/bin/true", ""},
             {"lxc.hook.autodev", "/bin/true", "/bin/true", ""},
             {"lxc.hook.start-host", "/bin/true", "/bin/true", ""},
             {"lxc.hook.start", "/bin/true", "/bin/true", ""},
             {"lxc.hook.stop", "/bin/true", "/bin/true", ""},
             {"lxc.hook.post-stop", "/bin/true", "/bin/true", ""},
             {"lxc.hook.clone", "/bin/true", "/bin/true", ""},
             {"lxc.hook.destroy", "/bin/true", "/bin/true", ""},
             {"lxc.hook.version", "1", "1", "0"},
             {"lxc.start.auto", "1", "1", "0"},
             {"lxc.start.delay", "5", "5", "0"},
             {"lxc.start.order", "-1", "-1", "0"},
             {"lxc.group", "onboot web", "onboot\nweb", ""},
             {"lxc.monitor.unshare", "1", "1", "0"},
             {"lxc.monitor.signal.pdeath", "SIGTERM", std::to_string(SIGTERM), ""},
             {"lxc.monitor.signal.pdeath", "0", "0", ""},
             {"lxc.log.file", "/var/log/kiste/c1.log", "/var/log/kiste/c1.log", ""},
             {"lxc.log.level", "DEBUG", "DEBUG", ""},
             {"lxc.log.syslog", "local3", "local3", ""},
             {"lxc.kmsg", "1", "1", "0"},
         })
        check(t);
}

// Keys that repeat append; an empty value clears the list.
TEST(LxcKeys, ListsAppendAndEmptyClears) {
    LxcConfig c;
    ASSERT_TRUE(set_key(c, "lxc.cap.drop", "sys_module", "f:1"));
    ASSERT_TRUE(set_key(c, "lxc.cap.drop", "mknod setuid", "f:2"));
    EXPECT_EQ(get(c, "lxc.cap.drop"), "sys_module\nmknod\nsetuid");
    ASSERT_TRUE(set_key(c, "lxc.cap.drop", "", "f:3"));
    EXPECT_EQ(get(c, "lxc.cap.drop"), "");
    EXPECT_TRUE(c.cap_drop.empty());

    ASSERT_TRUE(set_key(c, "lxc.mount.entry", "proc proc proc defaults 0 0", "f:4"));
    ASSERT_TRUE(set_key(c, "lxc.mount.entry", "sysfs sys sysfs ro 0 0", "f:5"));
    ASSERT_EQ(c.mount_entries.size(), 2u);
    EXPECT_EQ(c.mount_entries[1].origin, "f:5");
    ASSERT_TRUE(set_key(c, "lxc.mount.entry", "", "f:6"));
    EXPECT_TRUE(c.mount_entries.empty());

    ASSERT_TRUE(set_key(c, "lxc.environment", "A=1", "f:7"));
    ASSERT_TRUE(set_key(c, "lxc.environment", "PATH", "f:8"));
    EXPECT_EQ(get(c, "lxc.environment"), "A=1\nPATH");
    ASSERT_TRUE(set_key(c, "lxc.idmap", "u 0 100000 65536", "f:9"));
    ASSERT_TRUE(set_key(c, "lxc.idmap", "g 0 100000 65536", "f:10"));
    ASSERT_TRUE(set_key(c, "lxc.idmap", "u 65536 1000 1", "f:11"));
    EXPECT_EQ(get(c, "lxc.idmap"), "u 0 100000 65536\nu 65536 1000 1\ng 0 100000 65536");
    ASSERT_EQ(c.spec.uid_map.size(), 2u);
    EXPECT_EQ(c.spec.uid_map[1].host_id, 1000u);

    ASSERT_TRUE(set_key(c, "lxc.net.0.ipv4.address", "10.0.0.2/24", "f:12"));
    ASSERT_TRUE(set_key(c, "lxc.net.0.ipv4.address", "10.0.1.2", "f:13"));
    EXPECT_EQ(get(c, "lxc.net.0.ipv4.address"), "10.0.0.2/24\n10.0.1.2/8");
    ASSERT_TRUE(set_key(c, "lxc.hook.start", "/a", "f:14"));
    ASSERT_TRUE(set_key(c, "lxc.hook.start", "/b", "f:15"));
    EXPECT_EQ(get(c, "lxc.hook.start"), "/a\n/b");
}

TEST(LxcKeys, ScalarsReplace) {
    LxcConfig c;
    ASSERT_TRUE(set_key(c, "lxc.uts.name", "a", "f:1"));
    ASSERT_TRUE(set_key(c, "lxc.uts.name", "b", "f:2"));
    EXPECT_EQ(get(c, "lxc.uts.name"), "b");
    EXPECT_EQ(c.origins.at("lxc.uts.name"), "f:2");
    ASSERT_TRUE(set_key(c, "lxc.prlimit.nofile", "10", "f:3"));
    ASSERT_TRUE(set_key(c, "lxc.prlimit.nofile", "20:30", "f:4"));
    ASSERT_EQ(c.spec.process.rlimits.size(), 1u);
    EXPECT_EQ(c.spec.process.rlimits[0].soft, 20u);
    EXPECT_EQ(c.spec.process.rlimits[0].hard, 30u);
    ASSERT_TRUE(set_key(c, "lxc.sysctl.kernel.msgmax", "1", "f:5"));
    ASSERT_TRUE(set_key(c, "lxc.sysctl.kernel.msgmax", "2", "f:6"));
    ASSERT_EQ(c.spec.sysctls.size(), 1u);
    EXPECT_EQ(c.spec.sysctls[0].second, "2");
}

TEST(LxcKeys, WholeFamilyClears) {
    LxcConfig c;
    ASSERT_TRUE(set_key(c, "lxc.net.0.type", "veth", "f:1"));
    ASSERT_TRUE(set_key(c, "lxc.net.1.type", "empty", "f:2"));
    EXPECT_EQ(get(c, "lxc.net.0"), "lxc.net.0.type = veth");
    ASSERT_TRUE(set_key(c, "lxc.net.0", "", "f:3"));
    EXPECT_EQ(c.net.size(), 1u);
    EXPECT_FALSE(get_key(c, "lxc.net.0.type"));
    ASSERT_TRUE(set_key(c, "lxc.net", "", "f:4"));
    EXPECT_TRUE(c.net.empty());

    ASSERT_TRUE(set_key(c, "lxc.cgroup.memory.limit_in_bytes", "1G", "f:5"));
    ASSERT_TRUE(set_key(c, "lxc.cgroup.memory.soft_limit_in_bytes", "512M", "f:6"));
    ASSERT_TRUE(set_key(c, "lxc.cgroup.cpu.shares", "100", "f:7"));
    ASSERT_TRUE(set_key(c, "lxc.cgroup2.memory.max", "1G", "f:8"));
    // lxc.cgroup.memory = clears every memory.* v1 setting (LXC's prefix rule).
    ASSERT_TRUE(set_key(c, "lxc.cgroup.memory", "", "f:9"));
    ASSERT_EQ(c.spec.cgroup.settings.size(), 2u);
    EXPECT_EQ(get(c, "lxc.cgroup"), "lxc.cgroup.cpu.shares = 100");
    ASSERT_TRUE(set_key(c, "lxc.cgroup", "", "f:10"));
    ASSERT_EQ(c.spec.cgroup.settings.size(), 1u);
    EXPECT_EQ(c.spec.cgroup.settings[0].version, 2);
    ASSERT_TRUE(set_key(c, "lxc.cgroup2", "", "f:11"));
    EXPECT_TRUE(c.spec.cgroup.settings.empty());

    ASSERT_TRUE(set_key(c, "lxc.prlimit.nofile", "1", "f:12"));
    ASSERT_TRUE(set_key(c, "lxc.prlimit.stack", "unlimited", "f:13"));
    EXPECT_EQ(get(c, "lxc.prlimit"), "lxc.prlimit.nofile = 1\nlxc.prlimit.stack = unlimited");
    ASSERT_TRUE(set_key(c, "lxc.prlimit", "", "f:14"));
    EXPECT_TRUE(c.spec.process.rlimits.empty());

    ASSERT_TRUE(set_key(c, "lxc.hook.start", "/a", "f:15"));
    ASSERT_TRUE(set_key(c, "lxc.hook.stop", "/b", "f:16"));
    ASSERT_TRUE(set_key(c, "lxc.hook", "", "f:17"));
    EXPECT_TRUE(c.hooks.empty());
    ASSERT_TRUE(set_key(c, "lxc.sysctl.a.b", "1", "f:18"));
    ASSERT_TRUE(set_key(c, "lxc.sysctl", "", "f:19"));
    EXPECT_TRUE(c.spec.sysctls.empty());
    ASSERT_TRUE(set_key(c, "lxc.proc.oom_score_adj", "5", "f:20"));
    ASSERT_TRUE(set_key(c, "lxc.proc", "", "f:21"));
    EXPECT_TRUE(c.proc.empty());
}

TEST(LxcKeys, CapKeepNoneResetsTheList) {
    LxcConfig c;
    ASSERT_TRUE(set_key(c, "lxc.cap.keep", "chown", "f:1"));
    ASSERT_TRUE(set_key(c, "lxc.cap.keep", "none kill", "f:2"));
    ASSERT_TRUE(c.cap_keep.has_value());
    EXPECT_EQ(*c.cap_keep, std::vector<std::string>{"kill"});
    ASSERT_TRUE(set_key(c, "lxc.cap.keep", "", "f:3"));
    EXPECT_FALSE(c.cap_keep.has_value());
}

TEST(LxcKeys, WritesIntoTheSpec) {
    LxcConfig c;
    ASSERT_TRUE(set_key(c, "lxc.uts.name", "h", "f:1"));
    ASSERT_TRUE(set_key(c, "lxc.pty.max", "10", "f:2"));
    ASSERT_TRUE(set_key(c, "lxc.no_new_privs", "1", "f:3"));
    ASSERT_TRUE(set_key(c, "lxc.time.offset.boot", "-2s", "f:4"));
    ASSERT_TRUE(set_key(c, "lxc.init.groups", "5,6", "f:5"));
    ASSERT_TRUE(set_key(c, "lxc.init.groups", "7", "f:6"));
    EXPECT_EQ(c.spec.hostname, "h");
    EXPECT_EQ(c.spec.dev.pty_max, 10u);
    EXPECT_TRUE(c.spec.security.no_new_privs);
    EXPECT_EQ(c.spec.time_offset_boottime_ns, -2'000'000'000);
    EXPECT_EQ(c.spec.process.additional_gids, (std::vector<uint32_t>{5, 6, 7}));
}

TEST(LxcKeys, NetInterfacesKeepTheirOrigin) {
    LxcConfig c;
    ASSERT_TRUE(set_key(c, "lxc.net.3.type", "veth", "a.conf:7"));
    ASSERT_TRUE(set_key(c, "lxc.net.3.link", "br0", "a.conf:8"));
    EXPECT_EQ(c.net.at(3).origin, "a.conf:7");
    EXPECT_EQ(c.net.at(3).link, "br0");
}

TEST(LxcKeys, KnownKeysListsEveryFamily) {
    auto keys = known_keys();
    auto has = [&](std::string_view k) {
        return std::find(keys.begin(), keys.end(), k) != keys.end();
    };
    for (auto k : {"lxc.arch", "lxc.uts.name", "lxc.prlimit.nofile", "lxc.namespace.share.net",
                   "lxc.hook.pre-start", "lxc.cgroup.<controller>.<file>", "lxc.console.size",
                   "lxc.time.offset.monotonic", "lxc.monitor.signal.pdeath", "lxc.include"})
        EXPECT_TRUE(has(k)) << k;
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

}  // namespace
}  // namespace kiste::lxc
