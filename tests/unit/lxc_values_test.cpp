// The value parsers behind the LXC keys: command lines, signals, sizes,
// time offsets, rlimits, capabilities, addresses, fstab options.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/resource.h>

#include <csignal>

#include "config/lxc/config.hpp"
#include "config/lxc/fstab.hpp"
#include "config/lxc/values.hpp"

namespace kiste::lxc {
namespace {

using namespace detail;
using Words = std::vector<std::string>;

TEST(LxcValues, SplitCommand) {
    EXPECT_EQ(*split_command("/bin/echo  a\tb"), (Words{"/bin/echo", "a", "b"}));
    EXPECT_EQ(*split_command("sh -c 'echo \"x y\"; exit 3'"),
              (Words{"sh", "-c", "echo \"x y\"; exit 3"}));
    EXPECT_EQ(*split_command("a\\ b \"c \\\"d\\\"\" 'e'f"), (Words{"a b", "c \"d\"", "ef"}));
    EXPECT_EQ(*split_command("''"), (Words{""}));
    EXPECT_EQ(*split_command("   "), Words{});
    EXPECT_EQ(split_command("'open").error().message(), "unterminated single quote");
    EXPECT_EQ(split_command("\"open").error().message(), "unterminated double quote");
    EXPECT_EQ(split_command("x\\").error().message(), "a trailing backslash escapes nothing");
}

TEST(LxcValues, Signals) {
    EXPECT_EQ(*parse_signal("SIGTERM"), SIGTERM);
    EXPECT_EQ(*parse_signal("term"), SIGTERM);
    EXPECT_EQ(*parse_signal("SigPwr"), SIGPWR);
    EXPECT_EQ(*parse_signal("9"), SIGKILL);
    EXPECT_EQ(*parse_signal("SIGRTMIN"), SIGRTMIN);
    EXPECT_EQ(*parse_signal("SIGRTMIN+14"), SIGRTMIN + 14);
    EXPECT_EQ(*parse_signal("RTMAX-10"), SIGRTMAX - 10);
    EXPECT_FALSE(parse_signal("SIGRTMIN-1"));
    EXPECT_FALSE(parse_signal("SIGRTMAX+1"));
    EXPECT_FALSE(parse_signal("0"));
    EXPECT_EQ(*parse_signal("0", true), 0);
    EXPECT_FALSE(parse_signal("65"));
    EXPECT_FALSE(parse_signal(""));
}

TEST(LxcValues, SizesAndTimes) {
    EXPECT_EQ(*parse_size("512"), 512u);
    EXPECT_EQ(*parse_size("4k"), 4096u);
    EXPECT_EQ(*parse_size("2MB"), 2u << 20);
    EXPECT_EQ(*parse_size("1Gb"), 1u << 30);
    EXPECT_FALSE(parse_size("1.5G"));
    EXPECT_FALSE(parse_size("G"));
    EXPECT_FALSE(parse_size("99999999999999999999T"));
    EXPECT_EQ(*parse_console_size("auto"), 128u * 1024);
    EXPECT_EQ(*parse_time_offset("5s"), 5'000'000'000);
    EXPECT_EQ(*parse_time_offset("-3h"), -3 * 3600'000'000'000);
    EXPECT_EQ(*parse_time_offset("+7us"), 7'000);
    EXPECT_EQ(*parse_time_offset("12 ns"), 12);
    EXPECT_FALSE(parse_time_offset("5"));
    EXPECT_FALSE(parse_time_offset("5d"));
    EXPECT_FALSE(parse_time_offset("99999999999h"));
    EXPECT_EQ(format_time_offset(5'000'000'000), "5s");
    EXPECT_EQ(format_time_offset(1'500'000), "1500us");
    EXPECT_EQ(format_time_offset(-7), "-7ns");
    EXPECT_EQ(format_time_offset(0), "0s");
}

TEST(LxcValues, Rlimits) {
    EXPECT_EQ(rlimit_from_name("nofile"), RLIMIT_NOFILE);
    EXPECT_EQ(rlimit_from_name("rttime"), RLIMIT_RTTIME);
    EXPECT_FALSE(rlimit_from_name("NOFILE"));
    EXPECT_EQ(rlimit_names().size(), 16u);
    auto v = parse_rlimit_value("unlimited");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->first, uint64_t{RLIM_INFINITY});
    v = parse_rlimit_value("10:unlimited");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->first, 10u);
    EXPECT_EQ(v->second, uint64_t{RLIM_INFINITY});
    EXPECT_FALSE(parse_rlimit_value("unlimited:10"));
    EXPECT_EQ(format_rlimit_value(10, RLIM_INFINITY), "10:unlimited");
}

TEST(LxcValues, Capabilities) {
    EXPECT_EQ(*canonical_cap("CAP_SYS_ADMIN"), "sys_admin");
    EXPECT_EQ(*canonical_cap("Net_Raw"), "net_raw");
    EXPECT_EQ(*canonical_cap("21"), "21");
    EXPECT_FALSE(canonical_cap("cap_nonsense"));
    EXPECT_FALSE(canonical_cap("64"));
}

TEST(LxcValues, Addresses) {
    auto a = parse_ipv4_address("192.168.1.2/24 192.168.1.255");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->address.to_string(), "192.168.1.2");
    EXPECT_EQ(a->prefix, 24);
    EXPECT_EQ(a->broadcast.to_string(), "192.168.1.255");
    EXPECT_EQ(parse_ipv4_address("172.16.0.1")->prefix, 16);
    EXPECT_EQ(parse_ipv4_address("192.168.0.1")->prefix, 24);
    EXPECT_FALSE(parse_ipv4_address("1.2.3.4/24 nonsense"));
    EXPECT_FALSE(parse_ipv4_address("1.2.3.4/x"));
    EXPECT_EQ(parse_ipv6_address("fe80::1/10")->prefix, 10);
    EXPECT_FALSE(parse_ipv6_address("10.0.0.1/8"));
    EXPECT_TRUE(check_hwaddr("00:16:3e:XX:xx:0f"));
    EXPECT_FALSE(check_hwaddr("00:16:3e:12:34:5g"));
    EXPECT_TRUE(check_ifname("eth+", true));
    EXPECT_FALSE(check_ifname("a/b"));
}

TEST(LxcValues, Idmaps) {
    auto m = parse_idmap("g 1000 200000 10");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, 'g');
    EXPECT_EQ(m->map.container_id, 1000u);
    EXPECT_EQ(m->map.host_id, 200000u);
    EXPECT_EQ(m->map.count, 10u);
    EXPECT_FALSE(parse_idmap("b 0 1 1"));
    EXPECT_FALSE(parse_idmap("u 0 4294967290 100"));
}

TEST(LxcValues, FstabLines) {
    // Options go through the one mount option table (rootfs_options_test.cpp).
    auto o = parse_fstab_line(
        "/srv/a\\040b mnt/x\\011y none bind,ro,noauto,relative,create=dir 0 0", "x:2");
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_EQ(o->source, "/srv/a b");
    EXPECT_EQ(o->target, "mnt/x\ty");
    EXPECT_EQ(o->flags, static_cast<unsigned long>(MS_BIND | MS_RDONLY));
    EXPECT_TRUE(o->relative_source);
    EXPECT_EQ(o->create, MountEntry::Create::Dir);
    EXPECT_EQ(o->data, "");
    auto bad = parse_fstab_line("a b c rprivate,rshared", "x:3");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message().find("two propagation types"), std::string::npos);
    auto e = parse_fstab_line("none /dev/shm tmpfs", "x:1");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->flags, 0u);
    EXPECT_EQ(e->origin, "x:1");
    EXPECT_FALSE(parse_fstab_line("a b c d notanumber", "x:1"));
    EXPECT_TRUE(check_mount_auto_token("cgroup-full:rw:force"));
    EXPECT_TRUE(check_mount_auto_token("cgroup:force"));
    EXPECT_FALSE(check_mount_auto_token("cgroup:fast"));
    EXPECT_FALSE(check_mount_auto_token("shmounts:"));
}

}  // namespace
}  // namespace kiste::lxc
