#include <gtest/gtest.h>

#include "base/octal_escape.hpp"

namespace kiste {
namespace {

TEST(OctalEscape, DecodesFstabAndMountinfoEscapes) {
    EXPECT_EQ(unescape_octal("/a\\040b"), "/a b");
    EXPECT_EQ(unescape_octal("\\011\\012\\134"), "\t\n\\");
    EXPECT_EQ(unescape_octal("end\\040"), "end ");
    EXPECT_EQ(unescape_octal("\\377"), "\xff");
    EXPECT_EQ(unescape_octal(""), "");
}

TEST(OctalEscape, LeavesWhatIsNoEscape) {
    // Over \377, a non-octal digit, or cut short: kept as written.
    EXPECT_EQ(unescape_octal("\\400"), "\\400");
    EXPECT_EQ(unescape_octal("\\08a"), "\\08a");
    EXPECT_EQ(unescape_octal("\\04"), "\\04");
    EXPECT_EQ(unescape_octal("a\\b"), "a\\b");
    EXPECT_EQ(unescape_octal("\\"), "\\");
}

}  // namespace
}  // namespace kiste
