// The LXC config reader: lines, comments, includes (files, directories,
// loops), -s overrides, and every error path with file:line, key and reason.
#include <gtest/gtest.h>

#include <unistd.h>

#include "config/lxc/config.hpp"

namespace kiste::lxc {
namespace {

const std::string kData = std::string(KISTE_SOURCE_DIR) + "/tests/unit/data/lxc/";

std::string error_of(std::string_view text) {
    auto r = load_string(text, "bad.conf");
    EXPECT_FALSE(r) << "expected an error for:\n" << text;
    return r ? std::string() : r.error().message();
}

TEST(LxcParser, LinesCommentsAndBlanks) {
    auto c = load_string(
        "# a comment\n"
        "\n"
        "   lxc.uts.name   =   spaced   \n"
        "\t# indented comment\n"
        "lxc.environment = A=B=C\n"
        "lxc.environment = HASH=a#b\n"
        "lxc.init.cmd = /bin/sh -c 'x'\r\n",
        "t.conf");
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->spec.hostname, "spaced");
    ASSERT_EQ(c->environment.size(), 2u);
    EXPECT_EQ(c->environment[0].value, "A=B=C");     // split at the first '='
    EXPECT_EQ(c->environment[1].value, "HASH=a#b");  // '#' only starts a comment line
    EXPECT_EQ(c->environment[1].origin, "t.conf:6");
    EXPECT_EQ(c->init_cmd, "/bin/sh -c 'x'");
    EXPECT_EQ(c->origins.at("lxc.uts.name"), "t.conf:3");
}

// LXC's parse_line drops one pair of quotes around the whole value.
TEST(LxcParser, QuotedValues) {
    auto c = load_string(
        "lxc.uts.name = \"quoted\"\n"
        "lxc.environment = 'A= spaced '\n"
        "lxc.environment = \"B\n"
        "lxc.init.cmd = \"/bin/sh\" -c \"x\"\n",
        "q.conf");
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->spec.hostname, "quoted");
    EXPECT_EQ(c->environment[0].value, "A= spaced ");
    EXPECT_EQ(c->environment[1].value, "\"B");   // no closing quote: kept
    EXPECT_EQ(c->init_cmd, "/bin/sh\" -c \"x");  // LXC does the same
    ASSERT_TRUE(apply_override(*c, "lxc.uts.name='from -s'"));
    EXPECT_EQ(c->spec.hostname, "from -s");
}

TEST(LxcParser, EmptyTextIsAnEmptyConfig) {
    auto c = load_string("", "(none)");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->net.empty());
    EXPECT_EQ(c->spec.hostname, "");
}

TEST(LxcParser, ErrorsNameFileLineKeyAndReason) {
    EXPECT_EQ(error_of("# x\nlxc.uts.name = ok\nlxc.tty.max = abc\n"),
              "bad.conf:3: lxc.tty.max: invalid value 'abc': expected a non-negative integer");
    EXPECT_EQ(error_of("\n\n\n\nlxc.utsnam = x\n"),
              "bad.conf:5: unknown key 'lxc.utsnam' (did you mean 'lxc.uts.name'?)");
    EXPECT_EQ(error_of("lxc.uts.name\n"),
              "bad.conf:1: invalid line 'lxc.uts.name': expected KEY = VALUE");
    EXPECT_EQ(error_of(" = value\n"), "bad.conf:1: invalid line '= value': the key is missing");
}

// (uid_t)-1 and (gid_t)-1 are no ids: setresuid(-1, ...) keeps the caller's,
// so an init "as 4294967295" would stay root with every capability.
TEST(LxcParser, MinusOneIdsAreRejected) {
    EXPECT_EQ(error_of("lxc.uts.name = ok\nlxc.init.uid = 4294967295\n"),
              "bad.conf:2: lxc.init.uid: invalid value '4294967295': 4294967295 is (uid_t)-1, "
              "which is no user id");
    EXPECT_EQ(error_of("lxc.init.gid = 4294967295\n"),
              "bad.conf:1: lxc.init.gid: invalid value '4294967295': 4294967295 is (gid_t)-1, "
              "which is no group id");
    EXPECT_EQ(error_of("lxc.init.gid = -1\n"),
              "bad.conf:1: lxc.init.gid: invalid value '-1': expected a non-negative integer");
    EXPECT_EQ(error_of("\nlxc.init.groups = 10,4294967295\n"),
              "bad.conf:2: lxc.init.groups: invalid value '10,4294967295': 4294967295 is "
              "(gid_t)-1, which is no group id");
    EXPECT_EQ(error_of("lxc.idmap = u 0 4294967295 1\n"),
              "bad.conf:1: lxc.idmap: invalid value 'u 0 4294967295 1': the range passes the "
              "largest id (4294967294)");
    EXPECT_EQ(error_of("lxc.idmap = g 4294967200 0 96\n"),
              "bad.conf:1: lxc.idmap: invalid value 'g 4294967200 0 96': the range passes the "
              "largest id (4294967294)");
    auto ok = load_string("lxc.init.uid = 4294967294\nlxc.init.gid = 4294967294\n", "ok.conf");
    ASSERT_TRUE(ok) << ok.error().message();
    EXPECT_EQ(ok->spec.process.uid, 4294967294U);
    EXPECT_EQ(ok->spec.process.gid, 4294967294U);
}

TEST(LxcParser, FilesReportTheirPath) {
    auto r = load_file(kData + "bad-value.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), kData +
                                       "bad-value.conf:3: lxc.tty.max: invalid value 'abc': "
                                       "expected a non-negative integer");
    r = load_file(kData + "bad-key.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(),
              kData + "bad-key.conf:5: unknown key 'lxc.utsnam' (did you mean 'lxc.uts.name'?)");
    r = load_file(kData + "does-not-exist.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(),
              "cannot read '" + kData + "does-not-exist.conf': No such file or directory");
}

struct BadValue {
    const char* line;
    const char* message;
};

TEST(LxcParser, BadValues) {
    const BadValue cases[] = {
        {"lxc.init.uid = -1", "lxc.init.uid: invalid value '-1': expected a non-negative integer"},
        {"lxc.ephemeral = yes", "lxc.ephemeral: invalid value 'yes': expected 0 or 1"},
        {"lxc.signal.halt = SIGFOO",
         "lxc.signal.halt: invalid value 'SIGFOO': expected a signal name or number (e.g. "
         "SIGTERM, SIGRTMIN+3, 15)"},
        {"lxc.signal.stop = 99", "lxc.signal.stop: invalid value '99': signal number out of range"},
        {"lxc.mount.auto = proc:mixed sys:wrong",
         "lxc.mount.auto: invalid value 'proc:mixed sys:wrong': unknown lxc.mount.auto token "
         "'sys:wrong'"},
        {"lxc.idmap = u 0 100000",
         "lxc.idmap: invalid value 'u 0 100000': expected 'u|g "
         "CONTAINER_ID HOST_ID COUNT' (e.g. u 0 100000 65536)"},
        {"lxc.idmap = x 0 1 1", "lxc.idmap: invalid value 'x 0 1 1': expected 'u|g"},
        {"lxc.idmap = u 0 1 0", "lxc.idmap: invalid value 'u 0 1 0': the range must hold"},
        {"lxc.cap.drop = sys_module sys_admn",
         "lxc.cap.drop: invalid value 'sys_module sys_admn': 'sys_admn': unknown capability"},
        {"lxc.cap.keep = 64", "lxc.cap.keep: invalid value '64': '64': capability number out"},
        {"lxc.net.0.hwaddr = 00:11:22:33:44",
         "lxc.net.0.hwaddr: invalid value '00:11:22:33:44': expected a MAC address"},
        {"lxc.net.0.ipv4.address = 10.0.0.1/33",
         "lxc.net.0.ipv4.address: invalid value '10.0.0.1/33': the prefix length must be 0..32"},
        {"lxc.net.0.ipv4.address = 10.0.0.300/8",
         "lxc.net.0.ipv4.address: invalid value '10.0.0.300/8': expected an IPv4 address"},
        {"lxc.net.0.ipv6.address = 2001:db8::1/129",
         "lxc.net.0.ipv6.address: invalid value '2001:db8::1/129': the prefix length must be "
         "0..128"},
        {"lxc.net.0.ipv4.gateway = 2001:db8::1",
         "lxc.net.0.ipv4.gateway: invalid value '2001:db8::1': expected an IPv4 address, 'auto' "
         "or 'dev'"},
        {"lxc.net.0.type = bridge",
         "lxc.net.0.type: invalid value 'bridge': expected none, empty, veth, vlan, macvlan, "
         "ipvlan or phys"},
        {"lxc.net.0.name = averyveryverylongname",
         "lxc.net.0.name: invalid value 'averyveryverylongname': interface names have at most 15"},
        {"lxc.net.0.flags = down", "lxc.net.0.flags: invalid value 'down': expected 'up'"},
        {"lxc.net.0.vlan.id = 5000", "lxc.net.0.vlan.id: invalid value '5000': expected a VLAN id"},
        {"lxc.net.0.veth.mode = nat",
         "lxc.net.0.veth.mode: invalid value 'nat': expected bridge or router"},
        {"lxc.namespace.clone = mnt nett",
         "lxc.namespace.clone: invalid value 'mnt nett': unknown namespace 'nett'"},
        {"lxc.time.offset.boot = 5",
         "lxc.time.offset.boot: invalid value '5': expected an integer with a unit h, m, s, ms, "
         "us or ns (e.g. 5s)"},
        {"lxc.time.offset.monotonic = 5 days",
         "lxc.time.offset.monotonic: invalid value '5 days': expected an integer with a unit"},
        {"lxc.prlimit.nofile = 10:5",
         "lxc.prlimit.nofile: invalid value '10:5': the soft limit is above the hard limit"},
        {"lxc.prlimit.nofile = lots",
         "lxc.prlimit.nofile: invalid value 'lots': expected SOFT[:HARD], each a number or "
         "'unlimited'"},
        {"lxc.cgroup.memory.limit_in_bytes = 12Q",
         "lxc.cgroup.memory.limit_in_bytes: invalid value '12Q': expected a byte count"},
        {"lxc.cgroup.devices.allow = x 1:3 rwm",
         "lxc.cgroup.devices.allow: invalid value 'x 1:3 rwm': expected a device rule: 'a' or "
         "'c|b|a MAJ:MIN rwm'"},
        {"lxc.cgroup.devices.deny = c 1:3 rwz", "lxc.cgroup.devices.deny: invalid value"},
        {"lxc.cgroup2.devices.allow = c 1 rw", "lxc.cgroup2.devices.allow: invalid value"},
        {"lxc.cgroup.blkio.weight = 5",
         "lxc.cgroup.blkio.weight: invalid value '5': expected an integer 10..1000"},
        {"lxc.cgroup.memory = 5", "lxc.cgroup.memory: expected a cgroup file"},
        {"lxc.mount.entry = proc proc",
         "lxc.mount.entry: invalid value 'proc proc': expected 'SOURCE TARGET FSTYPE [OPTIONS "
         "[DUMP [PASS]]]'"},
        {"lxc.mount.entry = a b none bind,create=socket 0 0",
         "lxc.mount.entry: invalid value 'a b none bind,create=socket 0 0': unknown option "
         "'create=socket'"},
        {"lxc.init.cwd = relative/dir",
         "lxc.init.cwd: invalid value 'relative/dir': expected an absolute path"},
        {"lxc.init.cmd = /bin/sh -c 'unterminated",
         "lxc.init.cmd: invalid value '/bin/sh -c 'unterminated': unterminated single quote"},
        {"lxc.arch = pdp11", "lxc.arch: invalid value 'pdp11': expected arm, armel"},
        {"lxc.log.level = LOUD", "lxc.log.level: invalid value 'LOUD': expected a level 0..8"},
        {"lxc.log.syslog = local9", "lxc.log.syslog: invalid value 'local9': expected auth"},
        {"lxc.console.size = lots", "lxc.console.size: invalid value 'lots': expected a size"},
        {"lxc.seccomp.notify.proxy = /run/x",
         "lxc.seccomp.notify.proxy: invalid value '/run/x': expected unix:/path/to/socket"},
        {"lxc.hook.version = 2", "lxc.hook.version: invalid value '2': expected 0 or 1"},
        {"lxc.tty.dir = /dev/lxc", "lxc.tty.dir: invalid value '/dev/lxc': expected a directory"},
        {"lxc.net = x", "lxc.net: invalid value 'x': lxc.net takes no value"},
        {"lxc.net.0 = x", "lxc.net.0: invalid value 'x': lxc.net.N takes no value"},
        {"lxc.prlimit = x", "lxc.prlimit: invalid value 'x': this key only takes an empty value"},
        {"lxc.environment = =x", "lxc.environment: invalid value '=x': expected VAR=VALUE or VAR"},
        {"lxc.init.groups = 1,x",
         "lxc.init.groups: invalid value '1,x': expected a comma-separated list of group ids"},
        {"kiste.net.0.secure = maybe",
         "kiste.net.0.secure: invalid value 'maybe': expected 0 or 1"},
        {"lxc.uts.name = 12345678901234567890123456789012345678901234567890123456789012345",
         "lxc.uts.name: invalid value "
         "'12345678901234567890123456789012345678901234567890123456789012345': a host name has "
         "at most 64 characters"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.line);
        std::string msg = error_of(std::string("\n") + c.line + "\n");
        EXPECT_EQ(msg.rfind(std::string("bad.conf:2: ") + c.message, 0), 0u) << msg;
    }
}

TEST(LxcParser, TypeSpecificNetKeysNeedTheirType) {
    std::string msg = error_of("lxc.net.0.type = macvlan\nlxc.net.0.veth.pair = v0\n");
    EXPECT_EQ(msg,
              "bad.conf:2: lxc.net.0.veth.pair: only valid for veth interfaces (lxc.net.0.type is "
              "macvlan)");
}

TEST(LxcParser, CloneAndKeepAreExclusive) {
    std::string msg = error_of("lxc.namespace.keep = net\nlxc.namespace.clone = pid\n");
    EXPECT_EQ(msg,
              "bad.conf:2: lxc.namespace.clone: cannot be combined with lxc.namespace.keep (set at "
              "bad.conf:1)");
}

TEST(LxcParser, UnknownKeysSuggestTheNearest) {
    struct Case {
        const char* key;
        const char* suggestion;  // "" = none
    };
    const Case cases[] = {
        {"lxc.utsnam", "lxc.uts.name"},  // legacy spelling -> today's name
        {"lxc.uts.nam", "lxc.uts.name"},
        {"lxc.rootfs.pth", "lxc.rootfs.path"},
        {"lxc.cap.dorp", "lxc.cap.drop"},
        {"lxc.prlimit.nofiles", "lxc.prlimit.nofile"},
        {"lxc.limit.nofiles", "lxc.prlimit.nofile"},
        {"lxc.net.2.tpye", "lxc.net.2.type"},
        {"lxc.net.0.ipv4", "lxc.net.0.ipv4.address"},
        {"lxc.network.lnk", "lxc.network.link"},
        {"lxc.cgrop.memory.limit_in_bytes", "lxc.cgroup.memory.limit_in_bytes"},
        {"lxc.hook.prestart", "lxc.hook.pre-start"},
        {"lxc.namespace.share.mount", "lxc.namespace.share.mnt"},
        {"lxc.aa_profil", "lxc.apparmor.profile"},
        {"lxc.mount.entyr", "lxc.mount.entry"},
        {"kiste.net.0.secur", "kiste.net.0.secure"},
        {"completely.unrelated.thing", ""},
        {"foo", ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.key);
        std::string msg = error_of(std::string(c.key) + " = 1\n");
        std::string want = std::string("bad.conf:1: unknown key '") + c.key + "'";
        if (*c.suggestion) want += std::string(" (did you mean '") + c.suggestion + "'?)";
        EXPECT_EQ(msg, want);
    }
}

TEST(LxcParser, LegacyNetworkNeedsATypeFirst) {
    EXPECT_EQ(error_of("lxc.network.link = br0\n"),
              "bad.conf:1: lxc.network.link: no network interface yet (an lxc.network.type line "
              "must come first)");
}

// ---------------------------------------------------------------- includes
TEST(LxcParser, IncludesFilesAndDirectoriesInOrder) {
    auto c = load_file(kData + "include/main.conf");
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->spec.hostname, "main");
    ASSERT_EQ(c->net.count(0), 1u);
    EXPECT_EQ(c->net.at(0).type, "empty");
    // net.conf, then conf.d/10-first.conf, conf.d/20-second.conf (sorted), then main.conf's own
    // last line; README and *.conf.bak are not read.
    EXPECT_EQ(c->cap_drop,
              (std::vector<std::string>{"sys_module", "sys_rawio", "sys_time", "mknod"}));
    ASSERT_EQ(c->environment.size(), 2u);
    EXPECT_EQ(c->environment[0].value, "ORDER=first");
    EXPECT_EQ(c->environment[0].origin, kData + "include/conf.d/10-first.conf:1");
    EXPECT_EQ(c->environment[1].value, "ORDER=second");
    ASSERT_EQ(c->includes.size(), 3u);
    EXPECT_EQ(c->includes[0], kData + "include/parts/net.conf");
    EXPECT_EQ(c->includes[2], kData + "include/conf.d/20-second.conf");
    EXPECT_EQ(c->net.at(0).origin, kData + "include/parts/net.conf:1");
    auto inc = get_key(*c, "lxc.include");
    ASSERT_TRUE(inc);
    EXPECT_EQ(*inc, c->includes[0] + "\n" + c->includes[1] + "\n" + c->includes[2]);
}

TEST(LxcParser, IncludeLoopsAreErrors) {
    auto r = load_file(kData + "loop/a.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), kData + "loop/b.conf:2: lxc.include: include loop: " + kData +
                                       "loop/a.conf -> " + kData + "loop/b.conf -> " + kData +
                                       "loop/a.conf");
    r = load_file(kData + "loop/self.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), kData + "loop/self.conf:1: lxc.include: include loop: " + kData +
                                       "loop/self.conf -> " + kData + "loop/self.conf");
}

TEST(LxcParser, IncludedErrorsNameTheIncludedFile) {
    auto r = load_file(kData + "include-bad.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), kData +
                                       "bad-value.conf:3: lxc.tty.max: invalid value 'abc': "
                                       "expected a non-negative integer");
}

TEST(LxcParser, MissingIncludeIsAnError) {
    auto r = load_string("lxc.include = /nonexistent/kiste-test.conf\n", "m.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(),
              "m.conf:1: lxc.include: cannot read '/nonexistent/kiste-test.conf': No such file or "
              "directory");
}

TEST(LxcParser, RelativeIncludeFromStringUsesTheOriginsDirectory) {
    auto c = load_string("lxc.include = parts/net.conf\n", kData + "include/virtual.conf");
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->net.at(0).type, "empty");
}

TEST(LxcParser, RelativeFstabIsRelativeToTheConfig) {
    auto c = load_string("lxc.mount.fstab = fstab/mounts.fstab\n", kData + "x.conf");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->mount_fstab, "fstab/mounts.fstab");
    EXPECT_EQ(c->mount_fstab_resolved, kData + "fstab/mounts.fstab");
    ASSERT_TRUE(set_key(*c, "lxc.mount.fstab", "/abs/fstab", "command line"));
    EXPECT_EQ(c->mount_fstab_resolved, "/abs/fstab");
}

// ---------------------------------------------------------------- -s
TEST(LxcParser, OverridesActLikeOneMoreLine) {
    auto c = load_string(
        "lxc.uts.name = file\n"
        "lxc.cap.drop = sys_module\n",
        "o.conf");
    ASSERT_TRUE(c);
    ASSERT_TRUE(apply_override(*c, "lxc.uts.name=cmdline"));
    EXPECT_EQ(c->spec.hostname, "cmdline");
    EXPECT_EQ(c->origins.at("lxc.uts.name"), "command line");
    // A list key appends, as LXC's -s does (it feeds the parser one more line)...
    ASSERT_TRUE(apply_override(*c, "lxc.cap.drop = mknod"));
    EXPECT_EQ(c->cap_drop, (std::vector<std::string>{"sys_module", "mknod"}));
    // ...and an empty value clears it.
    ASSERT_TRUE(apply_override(*c, "lxc.cap.drop="));
    EXPECT_TRUE(c->cap_drop.empty());
    // Legacy names work too; the value may hold '='.
    ASSERT_TRUE(apply_override(*c, "lxc.utsname=legacy"));
    EXPECT_EQ(c->spec.hostname, "legacy");
    ASSERT_TRUE(apply_override(*c, "lxc.environment=A=B"));
    EXPECT_EQ(c->environment.back().value, "A=B");
    EXPECT_EQ(c->environment.back().origin, "command line");
}

TEST(LxcParser, OverrideErrors) {
    LxcConfig c;
    auto st = apply_override(c, "lxc.uts.name");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message(), "invalid definition 'lxc.uts.name': expected KEY=VALUE");
    st = apply_override(c, "lxc.tty.max=many");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message(),
              "command line: lxc.tty.max: invalid value 'many': expected a non-negative integer");
    st = apply_override(c, "lxc.ttymax=1");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message(),
              "command line: unknown key 'lxc.ttymax' (did you mean 'lxc.tty.max'?)");
}

TEST(LxcParser, GetAndClearOfUnknownKeys) {
    LxcConfig c;
    auto g = get_key(c, "lxc.uts.nme");
    ASSERT_FALSE(g);
    EXPECT_EQ(g.error().message(), "unknown key 'lxc.uts.nme' (did you mean 'lxc.uts.name'?)");
    auto cl = clear_key(c, "lxc.bogus.key");
    ASSERT_FALSE(cl);
    g = get_key(c, "lxc.net.4.type");
    ASSERT_FALSE(g);
    EXPECT_EQ(g.error().message(), "lxc.net.4.type: no interface lxc.net.4 is configured");
}

TEST(LxcParser, ObsoleteKeysLeaveANote) {
    auto c = load_string("lxc.rootfs.backend = dir\nlxc.pivotdir = putold\n", "n.conf");
    ASSERT_TRUE(c);
    ASSERT_EQ(c->notes.size(), 2u);
    EXPECT_EQ(c->notes[0],
              "n.conf:1: lxc.rootfs.backend = dir: obsolete (LXC 2.1 removed it), ignored");
    EXPECT_EQ(c->notes[1],
              "n.conf:2: lxc.pivotdir = putold: obsolete (LXC 2.1 removed it), ignored");
}

// The configs LXC itself ships parse (where installed).
TEST(LxcParser, LxcsOwnCommonConfigParses) {
    const std::string common = "/usr/share/lxc/config/common.conf";
    if (::access(common.c_str(), R_OK) != 0) GTEST_SKIP() << "LXC's configs are not installed";
    auto c = load_file(common);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->spec.dev.tty_dir, "lxc");
    EXPECT_EQ(c->spec.dev.pty_max, 1024u);
    EXPECT_FALSE(c->cap_drop.empty());
    EXPECT_FALSE(c->spec.cgroup.settings.empty());
}

}  // namespace
}  // namespace kiste::lxc
