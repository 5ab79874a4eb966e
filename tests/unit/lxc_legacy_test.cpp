// The talk's legacy keys: each alias means what it meant, lxc.network.type
// starts a new interface, and convert_legacy rewrites files to today's keys
// with comments and blank lines kept.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/lxc/config.hpp"

namespace kiste::lxc {
namespace {

const std::string kData = std::string(KISTE_SOURCE_DIR) + "/tests/unit/data/lxc/";

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string get(const LxcConfig& c, std::string_view key) {
    auto r = get_key(c, key);
    EXPECT_TRUE(r) << key << ": " << (r ? "" : r.error().message());
    return r ? *r : std::string();
}

struct Alias {
    const char* legacy;
    const char* modern;
    const char* value;
};

// Setting the legacy key is the same as setting today's key.
TEST(LxcLegacy, EachAliasMeansTodaysKey) {
    const Alias aliases[] = {
        {"lxc.utsname", "lxc.uts.name", "zeig"},
        {"lxc.tty", "lxc.tty.max", "4"},
        {"lxc.pts", "lxc.pty.max", "1024"},
        {"lxc.mount", "lxc.mount.fstab", "/lxc/debian/fstab"},
        {"lxc.rootfs", "lxc.rootfs.path", "/lxc/debian/rootfs"},
        {"lxc.id_map", "lxc.idmap", "u 0 100000 65536"},
        {"lxc.aa_profile", "lxc.apparmor.profile", "lxc-container-default"},
        {"lxc.aa_allow_incomplete", "lxc.apparmor.allow_incomplete", "1"},
        {"lxc.se_context", "lxc.selinux.context", "system_u:system_r:lxc_t:s0"},
        {"lxc.haltsignal", "lxc.signal.halt", "SIGPWR"},
        {"lxc.rebootsignal", "lxc.signal.reboot", "SIGINT"},
        {"lxc.stopsignal", "lxc.signal.stop", "SIGKILL"},
        {"lxc.init_cmd", "lxc.init.cmd", "/sbin/init"},
        {"lxc.init_uid", "lxc.init.uid", "1000"},
        {"lxc.init_gid", "lxc.init.gid", "1000"},
        {"lxc.loglevel", "lxc.log.level", "DEBUG"},
        {"lxc.logfile", "lxc.log.file", "/var/log/c.log"},
        {"lxc.console", "lxc.console.path", "none"},
        {"lxc.seccomp", "lxc.seccomp.profile", "/usr/share/lxc/config/common.seccomp"},
        {"lxc.devttydir", "lxc.tty.dir", "lxc"},
        {"lxc.syslog", "lxc.log.syslog", "daemon"},
        {"lxc.limit.nofile", "lxc.prlimit.nofile", "1024:4096"},
        {"lxc.limit.as", "lxc.prlimit.as", "unlimited"},
        // Unchanged names that the talk's era already used.
        {"lxc.cap.drop", "lxc.cap.drop", "sys_module"},
        {"lxc.console.logfile", "lxc.console.logfile", "/var/log/console"},
        {"lxc.start.auto", "lxc.start.auto", "1"},
        {"lxc.start.delay", "lxc.start.delay", "2"},
        {"lxc.start.order", "lxc.start.order", "3"},
        {"lxc.autodev", "lxc.autodev", "0"},
        {"lxc.ephemeral", "lxc.ephemeral", "1"},
        {"lxc.rootfs.mount", "lxc.rootfs.mount", "/mnt"},
        {"lxc.mount.entry", "lxc.mount.entry", "proc proc proc defaults 0 0"},
        {"lxc.mount.auto", "lxc.mount.auto", "proc sys"},
        {"lxc.monitor.unshare", "lxc.monitor.unshare", "1"},
        {"lxc.hook.pre-start", "lxc.hook.pre-start", "/bin/true"},
        {"lxc.cgroup.devices.deny", "lxc.cgroup.devices.deny", "a"},
    };
    for (const auto& a : aliases) {
        SCOPED_TRACE(a.legacy);
        LxcConfig via_legacy, via_modern;
        ASSERT_TRUE(set_key(via_legacy, a.legacy, a.value, "l:1"));
        ASSERT_TRUE(set_key(via_modern, a.modern, a.value, "m:1"));
        EXPECT_EQ(get(via_legacy, a.modern), get(via_modern, a.modern));
        EXPECT_FALSE(get(via_legacy, a.modern).empty());
        // The legacy name reads back too, and clears.
        EXPECT_EQ(get(via_legacy, a.legacy), get(via_modern, a.modern));
        ASSERT_TRUE(clear_key(via_legacy, a.legacy));
        EXPECT_EQ(get(via_legacy, a.modern), get(LxcConfig{}, a.modern));
        // The origin is kept under today's name.
        EXPECT_EQ(via_legacy.origins.at(a.modern), "l:1");
    }
}

TEST(LxcLegacy, KmsgAndObsoleteKeys) {
    LxcConfig c;
    ASSERT_TRUE(set_key(c, "lxc.kmsg", "1", "k:1"));
    EXPECT_TRUE(c.spec.dev.kmsg);
    ASSERT_TRUE(set_key(c, "lxc.pivotdir", "lxc_putold", "k:2"));
    ASSERT_TRUE(set_key(c, "lxc.rootfs.backend", "dir", "k:3"));
    EXPECT_EQ(c.notes.size(), 2u);
    EXPECT_EQ(get(c, "lxc.pivotdir"), "");
}

TEST(LxcLegacy, EachNetworkTypeStartsANewInterface) {
    auto c = load_string(
        "lxc.network.type = veth\n"
        "lxc.network.flags = up\n"
        "lxc.network.link = br0\n"
        "lxc.network.ipv4 = 192.168.1.69/24\n"
        "lxc.network.ipv4 = 10.0.0.5\n"
        "lxc.network.ipv6 = 2001:db8::5\n"
        "lxc.network.type = macvlan\n"
        "lxc.network.macvlan.mode = bridge\n"
        "lxc.network.link = eth0\n"
        "lxc.network.type = vlan\n"
        "lxc.network.vlan.id = 42\n"
        "lxc.network.ipv4.gateway = auto\n"
        "lxc.network.mtu = 1400\n"
        "lxc.network.script.up = /bin/up\n"
        "lxc.network.script.down = /bin/down\n",
        "net.conf");
    ASSERT_TRUE(c) << c.error().message();
    ASSERT_EQ(c->net.size(), 3u);
    const auto& veth = c->net.at(0);
    EXPECT_EQ(veth.type, "veth");
    EXPECT_TRUE(veth.up);
    EXPECT_EQ(veth.link, "br0");
    ASSERT_EQ(veth.ipv4.size(), 2u);
    EXPECT_EQ(veth.ipv4[0].address.to_string(), "192.168.1.69");
    EXPECT_EQ(veth.ipv4[0].prefix, 24);
    EXPECT_EQ(veth.ipv4[1].prefix, 8);  // no prefix: the class prefix, as LXC
    ASSERT_EQ(veth.ipv6.size(), 1u);
    EXPECT_EQ(veth.ipv6[0].prefix, 64);
    EXPECT_EQ(veth.origin, "net.conf:1");
    const auto& mac = c->net.at(1);
    EXPECT_EQ(mac.type, "macvlan");
    EXPECT_EQ(mac.macvlan_mode, "bridge");
    EXPECT_EQ(mac.link, "eth0");
    EXPECT_EQ(mac.origin, "net.conf:7");
    const auto& vlan = c->net.at(2);
    EXPECT_EQ(vlan.vlan_id, 42);
    EXPECT_EQ(vlan.ipv4_gateway.kind, NetInterface::Gateway::Kind::Auto);
    EXPECT_EQ(vlan.mtu, 1400u);
    EXPECT_EQ(vlan.script_up, "/bin/up");
    EXPECT_EQ(vlan.script_down, "/bin/down");
    // Legacy reads go to the most recent interface.
    EXPECT_EQ(get(*c, "lxc.network.type"), "vlan");
    EXPECT_EQ(get(*c, "lxc.net.1.link"), "eth0");
}

TEST(LxcLegacy, NetworkClearsAndIndexedForm) {
    auto c = load_string(
        "lxc.network.type = veth\n"
        "lxc.network.type = veth\n"
        "lxc.network =\n"
        "lxc.network.type = empty\n"
        "lxc.network.0.name = eth9\n"
        "lxc.network.type =\n"
        "lxc.network.type = phys\n"
        "lxc.network.link = eth1\n",
        "net.conf");
    ASSERT_TRUE(c) << c.error().message();
    ASSERT_EQ(c->net.size(), 1u);
    EXPECT_EQ(c->net.at(0).type, "phys");
    EXPECT_EQ(c->net.at(0).link, "eth1");
    EXPECT_EQ(c->net.at(0).name, "");
}

TEST(LxcLegacy, LegacyInterfacesFollowTodaysIndexes) {
    auto c = load_string("lxc.net.4.type = empty\nlxc.network.type = veth\nlxc.network.name = x\n",
                         "mix.conf");
    ASSERT_TRUE(c);
    ASSERT_EQ(c->net.size(), 2u);
    EXPECT_EQ(c->net.at(5).type, "veth");
    EXPECT_EQ(c->net.at(5).name, "x");
}

// ---------------------------------------------------------------- the talk's config
TEST(LxcLegacy, TheTalksExampleParses) {
    auto c = load_file(kData + "talk.conf");
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->spec.hostname, "zeig");
    EXPECT_EQ(c->spec.dev.tty_max, 4u);
    EXPECT_EQ(c->spec.dev.pty_max, 1024u);
    EXPECT_EQ(c->mount_fstab, "/lxc/debian/fstab");
    EXPECT_EQ(c->spec.rootfs.source.path, "/lxc/debian/rootfs");
    ASSERT_EQ(c->net.size(), 1u);
    const auto& n = c->net.at(0);
    EXPECT_EQ(n.type, "veth");
    EXPECT_TRUE(n.up);
    EXPECT_EQ(n.link, "br0");
    EXPECT_EQ(n.hwaddr, "08:00:12:34:56:78");
    ASSERT_EQ(n.ipv4.size(), 1u);
    EXPECT_EQ(n.ipv4[0].address.to_string(), "192.168.1.69");
    EXPECT_EQ(n.ipv4[0].prefix, 24);
    EXPECT_EQ(n.name, "eth0");
    EXPECT_EQ(n.origin, kData + "talk.conf:6");
    const auto& settings = c->spec.cgroup.settings;
    ASSERT_EQ(settings.size(), 7u);
    EXPECT_EQ(settings[0].key, "devices.deny");
    EXPECT_EQ(settings[0].value, "a");
    EXPECT_EQ(settings[1].key, "devices.allow");
    EXPECT_EQ(settings[1].value, "c 1:3 rwm");
    EXPECT_EQ(settings[1].origin, kData + "talk.conf:14");
    EXPECT_EQ(get(*c, "lxc.cgroup.devices.allow"),
              "c 1:3 rwm\nc 1:5 rwm\nc 5:1 rwm\nc 5:0 rwm\nc 4:0 rwm\nc 4:1 rwm");
}

TEST(LxcLegacy, TheTalksExampleConverts) {
    auto out = convert_legacy(slurp(kData + "talk.conf"), "talk.conf");
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(*out, slurp(kData + "talk.converted.conf"));
    // The converted file means the same.
    auto a = load_file(kData + "talk.conf");
    auto b = load_string(*out, kData + "talk.converted.conf");
    ASSERT_TRUE(a);
    ASSERT_TRUE(b) << b.error().message();
    for (auto key : {"lxc.uts.name", "lxc.tty.max", "lxc.pty.max", "lxc.mount.fstab",
                     "lxc.rootfs.path", "lxc.net.0", "lxc.cgroup"})
        EXPECT_EQ(get(*a, key), get(*b, key)) << key;
}

TEST(LxcLegacy, EveryLegacyKeyConverts) {
    auto out = convert_legacy(slurp(kData + "legacy-all.conf"), "legacy-all.conf");
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(*out, slurp(kData + "legacy-all.converted.conf"));
    // No legacy name is left outside comments.
    std::istringstream lines(*out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.find_first_not_of(" \t") == std::string::npos ||
            line[line.find_first_not_of(" \t")] == '#')
            continue;
        EXPECT_EQ(line.find("lxc.network"), std::string::npos) << line;
        EXPECT_EQ(line.find("lxc.utsname"), std::string::npos) << line;
    }
    // And both load to the same values.
    auto a = load_file(kData + "legacy-all.conf");
    auto b = load_string(*out, kData + "legacy-all.converted.conf");
    ASSERT_TRUE(a) << a.error().message();
    ASSERT_TRUE(b) << b.error().message();
    for (const auto& key : known_keys()) {
        if (key.find('<') != std::string::npos) continue;
        auto va = get_key(*a, key);
        auto vb = get_key(*b, key);
        ASSERT_EQ(va.has_value(), vb.has_value()) << key;
        if (va) {
            EXPECT_EQ(*va, *vb) << key;
        }
    }
    EXPECT_EQ(get(*a, "lxc.net"), get(*b, "lxc.net"));
    EXPECT_EQ(get(*a, "lxc.cgroup"), get(*b, "lxc.cgroup"));
}

TEST(LxcLegacy, ConvertKeepsCommentsBlanksAndModernLines) {
    const std::string in =
        "# header comment\n"
        "\n"
        "lxc.uts.name = already-modern\n"
        "    lxc.utsname   =   indented\n"
        "lxc.cap.drop =\n"
        "# trailing comment";
    auto out = convert_legacy(in, "c.conf");
    ASSERT_TRUE(out);
    EXPECT_EQ(*out,
              "# header comment\n"
              "\n"
              "lxc.uts.name = already-modern\n"
              "    lxc.uts.name = indented\n"
              "lxc.cap.drop =\n"
              "# trailing comment");
}

TEST(LxcLegacy, ConvertNumbersInterfacesLikeTheLoader) {
    auto out = convert_legacy(
        "lxc.net.0.type = veth\n"
        "lxc.network.type = macvlan\n"
        "lxc.network.link = eth0\n"
        "lxc.network =\n"
        "lxc.network.type = empty\n",
        "n.conf");
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(*out,
              "lxc.net.0.type = veth\n"
              "lxc.net.1.type = macvlan\n"
              "lxc.net.1.link = eth0\n"
              "lxc.net =\n"
              "lxc.net.0.type = empty\n");
}

TEST(LxcLegacy, ConvertErrors) {
    auto out = convert_legacy("lxc.uts.name = a\nlxc.utsnam = b\n", "c.conf");
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().message(),
              "c.conf:2: unknown key 'lxc.utsnam' (did you mean 'lxc.uts.name'?)");
    out = convert_legacy("lxc.network.link = br0\n", "c.conf");
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().message(),
              "c.conf:1: lxc.network.link: no network interface yet (an lxc.network.type line must "
              "come first)");
    out = convert_legacy("lxc.network.bogus = 1\n", "c.conf");
    ASSERT_FALSE(out);
}

}  // namespace
}  // namespace kiste::lxc
