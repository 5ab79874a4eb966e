// Whether device rules let a container open its ttys and console (c 136:*).
#include <gtest/gtest.h>

#include "cgroup/pty_access.hpp"
#include "config/lxc/config.hpp"

namespace kiste::cgroup {
namespace {

// As start and execute see them: after to_spec (which mirrors the device
// keys into the structured resources).
CgroupConfig rules(const std::string& text) {
    auto cfg = lxc::load_string(text, "t.conf");
    EXPECT_TRUE(cfg) << cfg.error().message();
    if (!cfg) return {};
    auto spec = lxc::to_spec(*cfg);
    EXPECT_TRUE(spec) << spec.error().message();
    return spec ? spec->cgroup : CgroupConfig{};
}

// The talk's rules: everything denied, a few devices allowed, no ptys.
constexpr const char* kTalkRules =
    "lxc.cgroup.devices.deny = a\n"
    "lxc.cgroup.devices.allow = c 1:3 rwm\n"
    "lxc.cgroup.devices.allow = c 1:5 rwm\n"
    "lxc.cgroup.devices.allow = c 5:* rwm\n";

TEST(PtyAccess, TalkRulesDenyThePtys) {
    auto by = pty_open_denied_by(rules(kTalkRules));
    ASSERT_TRUE(by);
    EXPECT_EQ(*by, "lxc.cgroup.devices.deny = a (t.conf:1)");
}

TEST(PtyAccess, AllowedWithoutRulesOrWithAnAllowFor136) {
    EXPECT_FALSE(pty_open_denied_by(rules("")));
    EXPECT_FALSE(pty_open_denied_by(
        rules(std::string(kTalkRules) + "lxc.cgroup.devices.allow = c 136:* rwm\n")));
    EXPECT_FALSE(
        pty_open_denied_by(rules("lxc.cgroup.devices.deny = a\n"
                                 "lxc.cgroup.devices.allow = c *:* rw\n")));
    // Only a mknod allowance, or one pty's minor: still denied.
    EXPECT_TRUE(
        pty_open_denied_by(rules("lxc.cgroup.devices.deny = a\n"
                                 "lxc.cgroup.devices.allow = c *:* m\n")));
    EXPECT_TRUE(
        pty_open_denied_by(rules("lxc.cgroup.devices.deny = a\n"
                                 "lxc.cgroup.devices.allow = c 136:0 rwm\n")));
    // Allowed, then denied again by a later rule; and cgroup v2's keys.
    auto by =
        pty_open_denied_by(rules("lxc.cgroup2.devices.allow = a\n"
                                 "lxc.cgroup2.devices.deny = c 136:* rw\n"));
    ASSERT_TRUE(by);
    EXPECT_EQ(*by, "lxc.cgroup2.devices.deny = c 136:* rw (t.conf:2)");
}

TEST(PtyAccess, WarningOnlyWithTtysOrAConsole) {
    const CgroupConfig talk = rules(kTalkRules);
    EXPECT_FALSE(pty_access_warning("c1", 0, false, talk));
    EXPECT_FALSE(pty_access_warning("c1", 4, true, rules("")));
    auto w = pty_access_warning("c1", 4, false, talk);
    ASSERT_TRUE(w);
    EXPECT_NE(w->find("c1"), std::string::npos) << *w;
    EXPECT_NE(w->find("lxc.tty.max = 4"), std::string::npos) << *w;
    EXPECT_NE(w->find("lxc.cgroup.devices.deny = a"), std::string::npos) << *w;
    EXPECT_NE(w->find("c 136:* rwm"), std::string::npos) << *w;
    w = pty_access_warning("c1", 0, true, talk);
    ASSERT_TRUE(w);
    EXPECT_NE(w->find("console"), std::string::npos) << *w;
}

TEST(PtyAccess, OciRulesAreTheStructuredOnes) {
    CgroupConfig oci;
    oci.resources.devices = {{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rwm"}};
    EXPECT_TRUE(pty_open_denied_by(oci));
    oci.resources.devices.push_back({true, 'c', 136, -1, "rwm"});
    EXPECT_FALSE(pty_open_denied_by(oci));
}

}  // namespace
}  // namespace kiste::cgroup
