#include <gtest/gtest.h>

#include <sys/resource.h>

#include "security/rlimits.hpp"

namespace kiste::security {
namespace {

TEST(SecurityRlimits, SoftAboveHardIsRefusedBeforeAnySyscall) {
    auto r = apply_rlimits({Rlimit{RLIMIT_NOFILE, "nofile", 200, 100}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), "rlimit nofile: the soft limit 200 is above the hard limit 100");
    r = apply_rlimits({Rlimit{RLIMIT_CORE, "core", RLIM_INFINITY, 0}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(),
              "rlimit core: the soft limit unlimited is above the hard limit 0");
}

TEST(SecurityRlimits, NothingToDo) {
    EXPECT_TRUE(apply_rlimits({}));
}

TEST(SecurityRlimits, SettingTheCurrentValuesIsANoOp) {
    rlimit cur{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &cur), 0);
    auto r = apply_rlimits({Rlimit{RLIMIT_NOFILE, "nofile", cur.rlim_cur, cur.rlim_max}});
    ASSERT_TRUE(r) << r.error().message();
    rlimit after{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
    EXPECT_EQ(after.rlim_cur, cur.rlim_cur);
    EXPECT_EQ(after.rlim_max, cur.rlim_max);
}

}  // namespace
}  // namespace kiste::security
