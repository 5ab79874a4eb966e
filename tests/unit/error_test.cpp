#include <gtest/gtest.h>

#include <cerrno>

#include "kiste/error.hpp"

namespace kiste {
namespace {

Result<int> inner(bool ok) {
    if (!ok) return fail_errno("opening {}", "/x");
    return 7;
}
Result<int> outer(bool ok) {
    int v = KISTE_TRY_CTX(inner(ok), "starting {}", "c1");
    return v + 1;
}

TEST(Error, ContextChainAndErrno) {
    errno = ENOENT;
    auto r = outer(false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ENOENT);
    EXPECT_EQ(r.error().message(), "starting c1: opening /x: No such file or directory");
}

TEST(Error, TryPassesValue) {
    auto r = outer(true);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 8);
}

}  // namespace
}  // namespace kiste
