// The parsers behind kiste attach and kiste ps, fed with text.
#include <gtest/gtest.h>

#include "attach/procfs.hpp"

namespace kiste::attach {
namespace {

constexpr const char* kStatus =
    "Name:\tsleep\n"
    "State:\tS (sleeping)\n"
    "Pid:\t4242\n"
    "PPid:\t4200\n"
    "Uid:\t100000\t100000\t100000\t100000\n"
    "NSpid:\t4242\t17\n"
    "CapInh:\t0000000000000000\n"
    "CapPrm:\t000001ffffffffff\n"
    "CapEff:\t000001ffffffffff\n"
    "CapBnd:\t000001fffffffeff\n"
    "CapAmb:\t0000000000000000\n";

TEST(AttachProcfs, StatusFields) {
    EXPECT_EQ(status_field(kStatus, "Name"), "sleep");
    EXPECT_EQ(status_field(kStatus, "State"), "S (sleeping)");
    EXPECT_EQ(status_field(kStatus, "Pi"), std::nullopt);  // a prefix is not a key
    EXPECT_EQ(status_field(kStatus, "Missing"), std::nullopt);
    EXPECT_EQ(innermost_pid(kStatus), 17);
    EXPECT_EQ(innermost_pid("Pid:\t99\n"), 99);  // no NSpid line
    EXPECT_EQ(real_uid(kStatus), 100000U);
}

TEST(AttachProcfs, Caps) {
    auto caps = caps_from_status(kStatus);
    ASSERT_TRUE(caps) << caps.error().message();
    EXPECT_EQ(caps->bounding, 0x1fffffffeffULL);
    EXPECT_EQ(caps->permitted, 0x1ffffffffffULL);
    EXPECT_EQ(caps->inheritable, 0U);
    EXPECT_FALSE(caps_from_status("CapBnd:\tzz\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n"));
    EXPECT_FALSE(caps_from_status("Name:\tx\n"));
    // CapAmb is optional (old kernels).
    EXPECT_TRUE(caps_from_status("CapBnd:\t1\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n"));
}

TEST(AttachProcfs, CapsForAttached) {
    CapabilitySets init{.bounding = 0xff,
                        .effective = 0x0f,
                        .permitted = 0x0f,
                        .inheritable = 0x101,
                        .ambient = 0x1};
    auto root = caps_for_attached(init, 0);
    EXPECT_EQ(root.bounding, 0xffU);
    EXPECT_EQ(root.permitted, 0xffU);
    EXPECT_EQ(root.effective, 0xffU);
    EXPECT_EQ(root.inheritable, 0x01U);  // only within the bounding set
    EXPECT_EQ(root.ambient, 0U);
    auto user = caps_for_attached(init, 1000);
    EXPECT_EQ(user.bounding, 0xffU);
    EXPECT_EQ(user.permitted | user.effective | user.inheritable | user.ambient, 0U);
}

TEST(AttachProcfs, Passwd) {
    const char* passwd =
        "# comment\n"
        "root:x:0:0:root:/root:/bin/ash\n"
        "broken line\n"
        "bad:x:notanumber:0::/:/bin/sh\n"
        "alice:x:1000:100:Alice:/home/alice:/bin/sh\n"
        "nohome:x:1001:1001:::\n";
    auto root = passwd_by_uid(passwd, 0);
    ASSERT_TRUE(root);
    EXPECT_EQ(root->name, "root");
    EXPECT_EQ(root->shell, "/bin/ash");
    auto alice = passwd_by_uid(passwd, 1000);
    ASSERT_TRUE(alice);
    EXPECT_EQ(alice->gid, 100U);
    EXPECT_EQ(alice->home, "/home/alice");
    auto nohome = passwd_by_uid(passwd, 1001);
    ASSERT_TRUE(nohome);
    EXPECT_EQ(nohome->home, "");
    EXPECT_EQ(nohome->shell, "");
    EXPECT_FALSE(passwd_by_uid(passwd, 4242));
}

TEST(AttachProcfs, IdMap) {
    const char* map = "         0     100000      65536\n     65536    2000000        10\n";
    EXPECT_EQ(map_into_ns(100000, map), 0U);
    EXPECT_EQ(map_into_ns(101000, map), 1000U);
    EXPECT_EQ(map_into_ns(2000003, map), 65539U);
    EXPECT_FALSE(map_into_ns(0, map));
    EXPECT_FALSE(map_into_ns(165536, map));
    EXPECT_EQ(map_into_ns(5, "0 0 4294967295\n"), 5U);
}

TEST(AttachProcfs, CgroupCandidates) {
    const char* cg =
        "9:name=systemd:/kiste/c1/init.scope\n"
        "8:pids:/kiste/c1\n"
        "4:memory:/other\n"
        "0::/kiste/c1/init.scope\n";
    auto c = process_cgroup_candidates("/sys/fs/cgroup/systemd/kiste/c1", cg);
    // Text alone cannot tell the hierarchies apart; the caller compares st_dev.
    ASSERT_EQ(c.size(), 3U);
    EXPECT_EQ(c[0], "/sys/fs/cgroup/systemd/kiste/c1/init.scope");
    EXPECT_EQ(c[1], "/sys/fs/cgroup/systemd/kiste/c1");
    // The root cgroup and unrelated paths give nothing.
    EXPECT_TRUE(process_cgroup_candidates("/sys/fs/cgroup/pids/kiste/c1", "1:pids:/\n").empty());
    EXPECT_TRUE(process_cgroup_candidates("/sys/fs/cgroup/pids/kiste/c1", "1:pids:/x/y\n").empty());
}

TEST(AttachProcfs, CpuTimeAndCommand) {
    EXPECT_EQ(format_cpu_time(0), "00:00:00");
    EXPECT_EQ(format_cpu_time(3723), "01:02:03");
    EXPECT_EQ(format_cpu_time(90061), "1-01:01:01");
    EXPECT_EQ(printable_cmdline(std::string("sleep\0001000\0", 11)), "sleep 1000");
    EXPECT_EQ(printable_cmdline(std::string("evil\x1b]0;x\x07", 10)), "evil?]0;x?");
    EXPECT_EQ(printable_cmdline(""), "");
    // Field 14/15 after a command name with spaces and parentheses.
    EXPECT_EQ(cpu_ticks_from_stat("12 (a) b (c)) S 1 12 12 0 -1 4194560 100 0 0 0 250 50 0 0"),
              300U);
    EXPECT_FALSE(cpu_ticks_from_stat("12 (x) S 1"));
}

}  // namespace
}  // namespace kiste::attach
