// LXC's own configs: includes of drop-in directories that may not exist,
// lxc.hook.clone (used only by lxc-copy), and every stock *.userns.conf and
// common.conf of the lxc package where it is installed.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config/lxc/config.hpp"

namespace kiste::lxc {
namespace {

namespace fs = std::filesystem;

class LxcStockConfigs : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-stock-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

// LXC (lxc/lxc#3896): an include named with a trailing '/' is a directory,
// and a missing one includes nothing; userns.conf ends with such a line.
TEST_F(LxcStockConfigs, AMissingIncludeDirectoryNamedWithASlashIncludesNothing) {
    const std::string missing = (dir_ / "userns.conf.d").string();
    auto c = load_string("lxc.uts.name = a\nlxc.include = " + missing + "/\nlxc.tty.max = 2\n",
                         (dir_ / "c.conf").string());
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->spec.hostname, "a");
    EXPECT_EQ(c->spec.dev.tty_max, 2u);
    EXPECT_TRUE(c->includes.empty());
    // Relative to the including file as well.
    c = load_string("lxc.include = conf.d/\n", (dir_ / "c.conf").string());
    ASSERT_TRUE(c) << c.error().message();

    // Once it exists, its *.conf files are read.
    fs::create_directory(missing);
    std::ofstream(missing + "/10-x.conf") << "lxc.uts.name = from-dir\n";
    c = load_string("lxc.include = " + missing + "/\n", (dir_ / "c.conf").string());
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->spec.hostname, "from-dir");
}

// Without the '/', LXC reads a missing path as a file: an error, as is a
// path with a '/' that is a file.
TEST_F(LxcStockConfigs, AMissingIncludeWithoutASlashIsStillAnError) {
    const std::string missing = (dir_ / "nothing.d").string();
    auto c = load_string("lxc.include = " + missing + "\n", "c.conf");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message(),
              "c.conf:1: lxc.include: cannot read '" + missing + "': No such file or directory");
    std::ofstream((dir_ / "file.conf").string()) << "lxc.uts.name = x\n";
    c = load_string("lxc.include = " + (dir_ / "file.conf").string() + "/\n", "c.conf");
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message().find("Not a directory"), std::string::npos)
        << c.error().message();
}

// lxc-copy runs clone hooks on the copy; a start never does, so the key
// must not count as something a start would leave unapplied.
TEST_F(LxcStockConfigs, CloneHooksDoNotBlockAStart) {
    // (A rootfs: a start needs its own root.)
    auto c = load_string(
        "lxc.hook.clone = /usr/share/lxc/hooks/clonehostname\nlxc.rootfs.path = /srv/x/rootfs\n",
        "h.conf");
    ASSERT_TRUE(c) << c.error().message();
    ASSERT_EQ(c->notes.size(), 1u);
    EXPECT_EQ(c->notes[0],
              "h.conf:1: lxc.hook.clone = /usr/share/lxc/hooks/clonehostname: only run when a "
              "container is copied (lxc-copy); kept, not needed to start");
    for (auto purpose : {Purpose::Start, Purpose::Execute}) {
        auto s = to_spec(*c, purpose);
        ASSERT_TRUE(s) << s.error().message();
        for (const auto& u : s->unapplied) {
            ADD_FAILURE() << u.key << ": " << u.reason;
        }
    }
    // The other hooks run (src/hooks), the clone hook is kept out of them.
    c = load_string(
        "lxc.hook.clone = /bin/true\nlxc.hook.pre-start = /bin/true\nlxc.rootfs.path = /srv/x\n",
        "h.conf");
    ASSERT_TRUE(c);
    auto s = to_spec(*c, Purpose::Start);
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->unapplied.empty());
    EXPECT_EQ(s->hooks.pre_start.size(), 1u);
    EXPECT_EQ(s->hooks.clone.size(), 1u);
}

std::vector<std::string> stock_configs() {
    std::vector<std::string> out;
    const fs::path dir = "/usr/share/lxc/config";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name == "common.conf" || name.ends_with(".userns.conf") || name == "userns.conf")
            out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST_F(LxcStockConfigs, EveryStockUsernsAndCommonConfigLoads) {
    const auto files = stock_configs();
    if (files.empty())
        GTEST_SKIP() << "LXC's configs are not installed (/usr/share/lxc/config: the lxc "
                        "package, and lxc-templates for the distributions' *.userns.conf)";
    for (const auto& f : files) {
        SCOPED_TRACE(f);
        auto c = load_file(f);
        ASSERT_TRUE(c) << c.error().message();
        if (f.ends_with("userns.conf")) {
            EXPECT_TRUE(c->cap_drop.empty()) << "lxc.cap.drop =";
        }
        // Loading is not enough: the file must also resolve (these files
        // name no rootfs, so as for kiste execute).
        auto s = to_spec(*c, Purpose::Execute);
        ASSERT_TRUE(s) << s.error().message();
        for (const auto& u : s->unapplied) {
            EXPECT_FALSE(u.key.starts_with("lxc.hook.clone")) << u.key;
        }
    }
}

}  // namespace
}  // namespace kiste::lxc
