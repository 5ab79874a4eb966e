// Device rules that deny the ptys (c 136:*) while the config asks for ttys:
// kiste execute says so once, naming the keys, and runs with the rules as
// written. Root only.
#include <sys/stat.h>

#include "harness.hpp"

namespace kiste::test {
namespace {

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

TEST(PtyRules, ExecuteWarnsOnceWhenTheRulesDenyTheTtys) {
    KISTE_REQUIRE_ROOT();
    TempDir dir, run_dir;
    make_busybox_rootfs(dir / "rootfs");
    const std::string rules = "lxc.rootfs.path = dir:" + dir.path() +
                              "/rootfs\n"
                              "lxc.tty.max = 4\n"
                              "lxc.cgroup.devices.deny = a\n"
                              "lxc.cgroup.devices.allow = c 1:3 rwm\n"
                              "lxc.cgroup.devices.allow = c 1:5 rwm\n";
    write_file(dir / "talk.conf", rules);
    write_file(dir / "ok.conf", rules + "lxc.cgroup.devices.allow = c 136:* rwm\n");
    auto exec = [&](const std::string& conf) {
        return run({kiste_binary(), "execute", "-f", conf, "--", "/bin/true"}, {},
                   {"KISTE_RUN_DIR=" + run_dir.path()});
    };
    auto r = exec(dir / "talk.conf");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(count(r.err, "c 136:*"), 2u) << r.err;  // the rule denied, the allow to add
    EXPECT_EQ(count(r.err, "lxc.tty.max = 4"), 1u) << r.err;
    EXPECT_NE(r.err.find("lxc.cgroup.devices.deny = a"), std::string::npos) << r.err;

    r = exec(dir / "ok.conf");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err.find("136"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kiste::test
