// kiste config --convert: lines it cannot convert are kept with a warning
// (as lxc-update-config keeps them), and -i replaces the file atomically,
// keeping its mode and a FILE.backup.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/lxc/config.hpp"
#include "config/lxc/convert.hpp"

namespace kiste::lxc {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(LxcConvert, UnknownKeysAreKeptWithAWarning) {
    const std::string in =
        "lxc.utsname = web\n"
        "  lxc.utsnam = typo   \n"
        "lxc.future.key = 1\n"
        "lxc.network.bogus = 1\n"
        "lxc.tty = 4\n";
    Conversion c = convert_config(in, "c.conf");
    EXPECT_EQ(c.text,
              "lxc.uts.name = web\n"
              "  lxc.utsnam = typo   \n"
              "lxc.future.key = 1\n"
              "lxc.network.bogus = 1\n"
              "lxc.tty.max = 4\n");
    ASSERT_EQ(c.warnings.size(), 3u);
    EXPECT_EQ(c.warnings[0], "c.conf:2: unknown key 'lxc.utsnam' (did you mean 'lxc.uts.name'?)");
    EXPECT_EQ(c.warnings[1], "c.conf:3: unknown key 'lxc.future.key'");
    EXPECT_EQ(c.warnings[2].rfind("c.conf:4: unknown key 'lxc.network.bogus'", 0), 0u)
        << c.warnings[2];
}

TEST(LxcConvert, ANetworkKeyBeforeItsTypeIsKeptWithAWarning) {
    Conversion c = convert_config(
        "lxc.network.link = br0\nlxc.network.type = veth\nlxc.network.link = br1\n", "c.conf");
    EXPECT_EQ(c.text, "lxc.network.link = br0\nlxc.net.0.type = veth\nlxc.net.0.link = br1\n");
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_EQ(c.warnings[0],
              "c.conf:1: lxc.network.link: no network interface yet (an lxc.network.type line "
              "must come first)");
}

TEST(LxcConvert, ConvertLegacyStaysStrict) {
    auto out = convert_legacy("lxc.uts.name = a\nlxc.utsnam = b\n", "c.conf");
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().message(),
              "c.conf:2: unknown key 'lxc.utsnam' (did you mean 'lxc.uts.name'?)");
}

class LxcConvertFile : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-convert-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(LxcConvertFile, ReplaceKeepsModeAndABackup) {
    const std::string file = (dir_ / "config").string();
    std::ofstream(file) << "lxc.utsname = old\n";
    ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
    struct stat before {};
    ASSERT_EQ(::stat(file.c_str(), &before), 0);

    ASSERT_TRUE(replace_config_file(file, "lxc.uts.name = old\n"));
    EXPECT_EQ(slurp(file), "lxc.uts.name = old\n");
    EXPECT_EQ(slurp(file + ".backup"), "lxc.utsname = old\n");
    struct stat after {};
    ASSERT_EQ(::stat(file.c_str(), &after), 0);
    EXPECT_EQ(after.st_mode & 07777, 0640u);
    EXPECT_EQ(after.st_uid, before.st_uid);
    EXPECT_NE(after.st_ino, before.st_ino);  // a new file renamed over the old one
    struct stat backup {};
    ASSERT_EQ(::stat((file + ".backup").c_str(), &backup), 0);
    EXPECT_EQ(backup.st_mode & 07777, 0640u);
    // Nothing else is left in the directory.
    size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
    EXPECT_EQ(entries, 2u);
}

TEST_F(LxcConvertFile, ASymlinkedConfigKeepsItsLink) {
    const std::string real = (dir_ / "real.conf").string();
    const std::string link = (dir_ / "config").string();
    std::ofstream(real) << "lxc.tty = 1\n";
    fs::create_symlink("real.conf", link);
    ASSERT_TRUE(replace_config_file(link, "lxc.tty.max = 1\n"));
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_EQ(slurp(real), "lxc.tty.max = 1\n");
    EXPECT_EQ(slurp(real + ".backup"), "lxc.tty = 1\n");
}

TEST_F(LxcConvertFile, OnlyRegularFilesAreReadOrReplaced) {
    const std::string fifo = (dir_ / "fifo").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    // Neither call may block on the FIFO (no writer ever comes).
    auto text = read_config_text(fifo);
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().message(),
              "cannot read '" + fifo + "': it is a FIFO, not a regular file");
    auto st = replace_config_file(fifo, "x");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message(), "cannot rewrite '" + fifo + "': not a regular file");
}

}  // namespace
}  // namespace kiste::lxc
