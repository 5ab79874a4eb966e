// The careful recursive delete of kiste destroy (no root needed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "template/remove_tree.hpp"

namespace kiste::tmpl {
namespace {

namespace fs = std::filesystem;

TEST(MountsBelow, ParsesMountinfo) {
    const std::string mi =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "30 22 0:26 / /var/lib/kiste/c1/rootfs rw shared:2 - tmpfs tmpfs rw\n"
        "31 22 0:27 / /var/lib/kiste/c10 rw - tmpfs tmpfs rw\n"
        "32 22 0:28 / /var/lib/kiste/c1/with\\040space rw - tmpfs tmpfs rw\n"
        "33 22 0:29 / /var/lib/kiste/c1 rw - tmpfs tmpfs rw\n";
    auto m = mounts_below(mi, "/var/lib/kiste/c1");
    EXPECT_EQ(m, (std::vector<std::string>{"/var/lib/kiste/c1/rootfs",
                                           "/var/lib/kiste/c1/with space", "/var/lib/kiste/c1"}));
    EXPECT_TRUE(mounts_below(mi, "/srv").empty());
    EXPECT_EQ(mounts_below(mi, "/").size(), 5u);
}

class RemoveTree : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("kiste-rm-" + std::to_string(::getpid()));
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }
    fs::path root_;
};

TEST_F(RemoveTree, RemovesEverythingButNeverFollowsSymlinks) {
    fs::path outside = root_ / "outside";
    fs::create_directories(outside / "keep");
    std::ofstream(outside / "keep" / "file") << "precious";
    fs::path victim = root_ / "victim";
    fs::create_directories(victim / "a" / "b" / "c");
    std::ofstream(victim / "a" / "b" / "c" / "f") << "x";
    std::ofstream(victim / "top") << "y";
    fs::create_directory_symlink(outside, victim / "a" / "link-to-outside");
    fs::create_symlink(outside / "keep" / "file", victim / "filelink");
    fs::create_symlink("/nonexistent", victim / "dangling");
    ::mkfifo((victim / "fifo").c_str(), 0600);

    auto st = remove_tree(victim.string());
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_FALSE(fs::exists(fs::symlink_status(victim)));
    EXPECT_TRUE(fs::exists(outside / "keep" / "file"));
}

TEST_F(RemoveTree, ASymlinkAsTheTopIsRemovedNotFollowed) {
    fs::create_directories(root_ / "real");
    std::ofstream(root_ / "real" / "f") << "x";
    fs::create_directory_symlink(root_ / "real", root_ / "link");
    ASSERT_TRUE(remove_tree((root_ / "link").string()));
    EXPECT_TRUE(fs::exists(root_ / "real" / "f"));
    EXPECT_FALSE(fs::exists(fs::symlink_status(root_ / "link")));
}

TEST_F(RemoveTree, MissingIsFineBadPathsAreRefused) {
    EXPECT_TRUE(remove_tree((root_ / "nothing").string()));
    EXPECT_TRUE(remove_tree((root_ / "no" / "parent").string()));
    EXPECT_FALSE(remove_tree("/"));
    EXPECT_FALSE(remove_tree("///"));
    EXPECT_FALSE(remove_tree("relative/path"));
    EXPECT_FALSE(remove_tree(""));
}

TEST_F(RemoveTree, CheckedRefusesWhatIsMounted) {
    // /proc is a mount of its own: remove_tree_checked("/proc") must refuse
    // before touching anything.
    auto st = remove_tree_checked("/proc");
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("mounted below"), std::string::npos)
        << st.error().message();
}

}  // namespace
}  // namespace kiste::tmpl
