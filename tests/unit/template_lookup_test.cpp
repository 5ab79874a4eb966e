// Template lookup: the search path and the order of names.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "template/lookup.hpp"

namespace kiste::tmpl {
namespace {

namespace fs = std::filesystem;

class TemplateDirs : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("kiste-tpl-" + std::to_string(::getpid()));
        fs::create_directories(root_ / "a");
        fs::create_directories(root_ / "b");
        fs::create_directories(root_ / "lxc");
    }
    void TearDown() override { fs::remove_all(root_); }
    std::string script(const std::string& rel, bool executable = true) {
        std::string p = (root_ / rel).string();
        std::ofstream(p) << "#!/bin/sh\nexit 0\n";
        ::chmod(p.c_str(), executable ? 0755 : 0644);
        return p;
    }
    std::vector<TemplateDir> path() {
        return {{(root_ / "a").string(), false},
                {(root_ / "b").string(), false},
                {(root_ / "lxc").string(), true}};
    }
    fs::path root_;
};

TEST(TemplatePath, Order) {
    auto p = template_path("/one:/two/::/one", "/src/build-x/kiste", "/usr/share/kiste",
                           "/usr/share/lxc/templates");
    std::vector<TemplateDir> want = {{"/one", false},
                                     {"/two", false},
                                     {"/src/templates", false},
                                     {"/usr/share/kiste/templates", false},
                                     {"/usr/share/lxc/templates", true}};
    EXPECT_EQ(p, want);
    auto q = template_path("", "", "/d", "");
    EXPECT_EQ(q, (std::vector<TemplateDir>{{"/d/templates", false}}));
}

TEST_F(TemplateDirs, BuiltinsWin) {
    script("a/kiste-debian");
    EXPECT_EQ(find_template("debian", path())->kind, TemplateKind::Debian);
    EXPECT_EQ(find_template("none", path())->kind, TemplateKind::None);
    EXPECT_EQ(find_template("dir", path())->kind, TemplateKind::Dir);
}

TEST_F(TemplateDirs, NamesAndDirectoriesInOrder) {
    const std::string lxc = script("lxc/lxc-foo");
    EXPECT_EQ(find_template("foo", path())->executable, lxc);
    const std::string b = script("b/foo");
    EXPECT_EQ(find_template("foo", path())->executable, b);
    const std::string a_lxc = script("a/lxc-foo");
    EXPECT_EQ(find_template("foo", path())->executable, a_lxc);
    const std::string a_plain = script("a/foo");
    EXPECT_EQ(find_template("foo", path())->executable, a_plain);
    const std::string a_kiste = script("a/kiste-foo");
    EXPECT_EQ(find_template("foo", path())->executable, a_kiste);
    EXPECT_EQ(find_template("foo", path())->kind, TemplateKind::External);
}

TEST_F(TemplateDirs, LxcDirOnlyHoldsLxcNames) {
    script("lxc/bar");
    EXPECT_FALSE(find_template("bar", path()).has_value());
    // LXC's full name picks LXC's template.
    const std::string lxc = script("lxc/lxc-qux");
    EXPECT_EQ(find_template("lxc-qux", path())->executable, lxc);
    EXPECT_EQ(find_template("qux", path())->executable, lxc);
}

TEST_F(TemplateDirs, NotExecutableIsSkipped) {
    script("a/kiste-baz", false);
    const std::string b = script("b/kiste-baz");
    EXPECT_EQ(find_template("baz", path())->executable, b);
}

TEST_F(TemplateDirs, ExplicitPath) {
    const std::string p = script("a/my-template");
    auto t = find_template(p, {});
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_EQ(t->executable, fs::canonical(p).string());
    EXPECT_FALSE(find_template((root_ / "a/missing").string(), {}).has_value());
    script("a/not-exec", false);
    EXPECT_FALSE(find_template((root_ / "a/not-exec").string(), {}).has_value());
}

TEST_F(TemplateDirs, NotFoundNamesWhereItLooked) {
    auto t = find_template("nope", path());
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().message().find((root_ / "b").string()), std::string::npos)
        << t.error().message();
    EXPECT_NE(t.error().message().find("KISTE_TEMPLATE_PATH"), std::string::npos);
}

}  // namespace
}  // namespace kiste::tmpl
