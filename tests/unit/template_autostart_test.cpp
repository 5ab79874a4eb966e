// kiste autostart: selection by lxc.start.auto and lxc.group, order.
#include <gtest/gtest.h>

#include "template/autostart.hpp"

namespace kiste::tmpl {
namespace {

std::vector<std::string> names(const std::vector<AutostartEntry>& v) {
    std::vector<std::string> out;
    for (const auto& e : v) out.push_back(e.name);
    return out;
}

std::vector<AutostartEntry> sample() {
    return {
        {.name = "db", .start_auto = true, .order = 10, .delay = 5, .groups = {}},
        {.name = "web", .start_auto = true, .order = 20, .delay = 0, .groups = {}},
        {.name = "cache", .start_auto = true, .order = 10, .delay = 0, .groups = {}},
        {.name = "manual", .start_auto = false, .order = 0, .delay = 0, .groups = {}},
        {.name = "g1", .start_auto = true, .order = 1, .delay = 0, .groups = {"front"}},
        {.name = "g2", .start_auto = true, .order = 0, .delay = 0, .groups = {"back", "front"}},
        {.name = "early", .start_auto = true, .order = -5, .delay = 0, .groups = {}},
    };
}

TEST(Autostart, ParseGroups) {
    EXPECT_EQ(parse_groups({}), std::vector<std::string>{""});
    EXPECT_EQ(parse_groups({"a,b", "a", ",c"}), (std::vector<std::string>{"a", "b", "", "c"}));
    EXPECT_EQ(parse_groups({"web"}), std::vector<std::string>{"web"});
}

TEST(Autostart, DefaultIsAutoContainersWithoutGroupLowerOrderFirst) {
    auto p = plan_autostart(sample(), {});
    EXPECT_EQ(names(p), (std::vector<std::string>{"early", "cache", "db", "web"}));
    EXPECT_EQ(p[2].delay, 5);
}

TEST(Autostart, ShutdownIsTheReverse) {
    auto p = plan_autostart(sample(), {.groups = {}, .reverse = true});
    EXPECT_EQ(names(p), (std::vector<std::string>{"web", "db", "cache", "early"}));
}

TEST(Autostart, GroupsInTheOrderGivenEachContainerOnce) {
    auto p = plan_autostart(sample(), {.groups = {"front"}});
    EXPECT_EQ(names(p), (std::vector<std::string>{"g2", "g1"}));
    p = plan_autostart(sample(), {.groups = {"back,front"}});
    EXPECT_EQ(names(p), (std::vector<std::string>{"g2", "g1"}));
    // The no-group selector after a group.
    p = plan_autostart(sample(), {.groups = {"front", ""}});
    EXPECT_EQ(names(p), (std::vector<std::string>{"g2", "g1", "early", "cache", "db", "web"}));
    // No prefix matching (lxc-autostart's strncmp would take "fr").
    EXPECT_TRUE(plan_autostart(sample(), {.groups = {"fr"}}).empty());
}

TEST(Autostart, AllIgnoresGroups) {
    auto p = plan_autostart(sample(), {.groups = {}, .all = true});
    EXPECT_EQ(names(p), (std::vector<std::string>{"early", "g2", "g1", "cache", "db", "web"}));
}

TEST(Autostart, IgnoreAuto) {
    auto p = plan_autostart(sample(), {.groups = {}, .ignore_auto = true});
    EXPECT_EQ(names(p), (std::vector<std::string>{"early", "manual", "cache", "db", "web"}));
}

}  // namespace
}  // namespace kiste::tmpl
