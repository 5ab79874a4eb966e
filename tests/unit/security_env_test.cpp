#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "security/environment.hpp"

namespace kiste::security {
namespace {

namespace fs = std::filesystem;
using Env = std::vector<std::string>;

class EnvTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-env-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        passwd_ = (dir_ / "passwd").string();
        std::ofstream(passwd_) << "root:x:0:0:root:/root:/bin/sh\n"
                                  "# a comment line\n"
                                  "broken line\n"
                                  "nohome:x:7:7:gecos::/bin/sh\n"
                                  "app:x:1000:1000:App User,,,:/home/app:/bin/sh\n";
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
    std::string passwd_;
};

TEST_F(EnvTest, CleanDefaults) {
    ProcessSpec p;
    const Env host = {"PATH=/host/bin", "HOME=/host", "SECRET=1", "TERM=xterm-256color"};
    Env env = build_environment(p, host, passwd_);
    EXPECT_EQ(env, (Env{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "container=lxc", "TERM=xterm-256color", "HOME=/root"}));
}

TEST_F(EnvTest, NoTermWhenTheHostHasNone) {
    ProcessSpec p;
    p.uid = 1000;
    Env env = build_environment(p, Env{"PATH=/x"}, passwd_);
    EXPECT_EQ(env, (Env{std::string("PATH=") + std::string(kDefaultPath), "container=lxc",
                        "HOME=/home/app"}));
}

TEST_F(EnvTest, HomeFallsBackToSlash) {
    ProcessSpec p;
    p.uid = 7;  // empty home field
    EXPECT_EQ(build_environment(p, {}, passwd_).back(), "HOME=/");
    p.uid = 4242;  // not listed
    EXPECT_EQ(build_environment(p, {}, passwd_).back(), "HOME=/");
    p.uid = 0;
    EXPECT_EQ(build_environment(p, {}, (dir_ / "missing").string()).back(), "HOME=/");
}

TEST_F(EnvTest, SpecEntriesOverrideInPlaceOrAppend) {
    ProcessSpec p;
    p.env = {"PATH=/bin", "FOO=bar", "container=kiste", "FOO=baz", "EMPTY=", "=bad", ""};
    Env env = build_environment(p, Env{"TERM=vt100"}, passwd_);
    EXPECT_EQ(env, (Env{"PATH=/bin", "container=kiste", "TERM=vt100", "HOME=/root", "FOO=baz",
                        "EMPTY="}));
}

TEST_F(EnvTest, BareKeyTakesTheHostValue) {
    ProcessSpec p;
    p.env = {"LANG", "MISSING", "HOME"};
    Env env = build_environment(p, Env{"LANG=C.UTF-8", "HOME=/host/home"}, passwd_);
    EXPECT_EQ(env, (Env{std::string("PATH=") + std::string(kDefaultPath), "container=lxc",
                        "HOME=/host/home", "LANG=C.UTF-8"}));
}

TEST_F(EnvTest, HomeOf) {
    EXPECT_EQ(home_of(0, passwd_), "/root");
    EXPECT_EQ(home_of(1000, passwd_), "/home/app");
    EXPECT_EQ(home_of(7, passwd_), "");
    EXPECT_EQ(home_of(5, passwd_), "");
}

TEST_F(EnvTest, AFifoAsPasswdDoesNotHang) {
    const std::string fifo = (dir_ / "fifo").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(home_of(0, fifo), "");
    EXPECT_EQ(home_of(0, dir_.string()), "");  // a directory
}

TEST(SecurityEnv, UsesThisProcessEnviron) {
    ::setenv("TERM", "kiste-test-term", 1);
    ProcessSpec p;
    Env env = build_environment(p);
    EXPECT_NE(std::find(env.begin(), env.end(), "TERM=kiste-test-term"), env.end());
    EXPECT_EQ(env[0], std::string("PATH=") + std::string(kDefaultPath));
    EXPECT_EQ(env[1], "container=lxc");
}

}  // namespace
}  // namespace kiste::security
