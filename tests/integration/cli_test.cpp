// The command line of `kiste` as an LXC user types it: options
// before or after the container name, `-n NAME` on every verb that takes a
// container, unknown words named, and a create from a config that gives the
// new container a MAC of its own. No container runs here: each case stops
// at a harmless error (no such container, a rootfs that does not exist).
#include <sys/stat.h>

#include <filesystem>
#include <regex>

#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;

class Cli : public ::testing::Test {
protected:
    void SetUp() override { KISTE_REQUIRE_ROOT(); }

    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }

    // A container whose config holds a key kiste cannot apply yet and a
    // rootfs that does not exist: a start gets past the key only with
    // --allow-unapplied, then fails on the rootfs, before anything runs.
    void make_unstartable(const std::string& name) {
        fs::create_directories(lxcpath_ / name);
        write_file(lxcpath_ / (name + "/config"),
                   "lxc.rootfs.path = dir:" + lxcpath_.path() +
                       "/no-such-rootfs\n"
                       "lxc.selinux.context = system_u:system_r:lxc_t:s0\n");
    }

    TempDir lxcpath_;
    TempDir run_dir_;
};

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST_F(Cli, OptionAfterTheNameIsAnOption) {
    make_unstartable("web");
    // The refusal names the flag; given after the name, the flag is taken.
    auto refused = kiste({"start", "web"});
    EXPECT_EQ(refused.code, 1);
    EXPECT_TRUE(has(refused.err, "--allow-unapplied")) << refused.err;
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"start", "web", "--allow-unapplied"},
                                               {"start", "--allow-unapplied", "web"},
                                               {"start", "-n", "web", "--allow-unapplied"}}) {
        auto r = kiste(args);
        EXPECT_EQ(r.code, 1);
        EXPECT_FALSE(has(r.err, "refusing to start")) << args[2] << ": " << r.err;
        EXPECT_TRUE(has(r.err, "no-such-rootfs")) << r.err;
    }
    // After "--" it is init's argument, not kiste's option.
    auto init_arg = kiste({"start", "web", "--", "--allow-unapplied"});
    EXPECT_EQ(init_arg.code, 1);
    EXPECT_TRUE(has(init_arg.err, "refusing to start")) << init_arg.err;
}

TEST_F(Cli, UnknownOptionIsNamed) {
    make_unstartable("web");
    auto r = kiste({"start", "web", "--bogus"});
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(has(r.err, "unknown option '--bogus'")) << r.err;
    EXPECT_TRUE(has(r.err, "after --")) << r.err;  // where init's arguments go
    EXPECT_TRUE(has(r.err, "Usage: kiste start")) << r.err;
    EXPECT_FALSE(has(r.err, "refusing")) << r.err;  // nothing was tried

    auto attach = kiste({"attach", "web", "ls", "-la"});
    EXPECT_EQ(attach.code, 1);
    EXPECT_TRUE(has(attach.err, "unknown option '-la'")) << attach.err;

    auto info = kiste({"info", "web", "extra"});
    EXPECT_EQ(info.code, 1);
    EXPECT_TRUE(has(info.err, "unexpected argument 'extra'")) << info.err;

    auto level = kiste({"info", "web", "-l", "LOUD"});
    EXPECT_EQ(level.code, 1);
    EXPECT_TRUE(has(level.err, "LOUD")) << level.err;
}

TEST_F(Cli, DashNOnEveryVerbThatTakesAContainer) {
    const std::vector<std::vector<std::string>> cases = {
        {"start", "-n", "ghost"},
        {"stop", "-n", "ghost"},
        {"info", "-n", "ghost"},
        {"console", "-n", "ghost"},
        {"freeze", "-n", "ghost"},
        {"unfreeze", "-n", "ghost"},
        {"cgroup", "-n", "ghost", "pids.max"},
        {"set", "-n", "ghost", "pids=10"},
        {"destroy", "-n", "ghost"},
        {"ps", "-n", "ghost"},
        {"attach", "-n", "ghost", "--", "true"},
    };
    for (const auto& args : cases) {
        auto r = kiste(args);
        EXPECT_FALSE(has(r.err, "unknown option")) << args[0] << ": " << r.err;
        EXPECT_FALSE(has(r.err, "not expected")) << args[0] << ": " << r.err;
        if (args[0] != "stop") {  // stop's exit status and message: start_stop_test.cpp
            EXPECT_NE(r.code, 0) << args[0];
            EXPECT_TRUE(has(r.err, "ghost")) << args[0] << ": " << r.err;
        }
    }
    // lxc-wait's spelling: a stopped (unknown) container is STOPPED at once.
    auto wait = kiste({"wait", "-n", "ghost", "-s", "STOPPED", "-t", "1"});
    EXPECT_EQ(wait.code, 0) << wait.err;
    EXPECT_EQ(kiste({"wait", "ghost", "STOPPED", "-t", "1"}).code, 0);
    EXPECT_EQ(kiste({"wait", "--name=ghost", "STOPPED"}).code, 0);
    EXPECT_EQ(kiste({"wait", "ghost", "RUNNING", "-s", "STOPPED"}).code, 1);  // two states
}

// A flag without a value just before -n once swallowed -n and the name
// ("name is required"); the unit test CliVerbs.* covers every verb's flags.
TEST_F(Cli, FlagBeforeDashNKeepsTheName) {
    const std::vector<std::vector<std::string>> cases = {
        {"attach", "--clear-env", "-n", "ghost", "--", "env"},
        {"attach", "--keep-env", "-n", "ghost", "--", "env"},
        {"attach", "-e", "-n", "ghost", "--", "env"},
        {"attach", "--clear-env", "--name", "ghost", "--", "env"},
        {"attach", "--clear-env", "--name=ghost", "--", "env"},
        {"console", "--log", "-n", "ghost"},
        {"start", "-F", "-n", "ghost"},
        {"start", "-d", "-n", "ghost"},
        {"stop", "-k", "-n", "ghost"},
        {"destroy", "-f", "-n", "ghost"},
        {"info", "-s", "-n", "ghost"},
        {"-q", "stop", "-n", "ghost"},
    };
    for (const auto& args : cases) {
        auto r = kiste(args);
        const std::string line = args[0] + " " + args[1];
        EXPECT_NE(r.code, 0) << line;
        EXPECT_TRUE(has(r.err, "ghost")) << line << ": " << r.err;
        for (const char* lost : {"is required", "no container name", "which container"})
            EXPECT_FALSE(has(r.err, lost)) << line << ": " << r.err;
    }
}

// Init's arguments come only after "--": an extra word is an error that
// names it, on start and on every verb that takes just a name.
TEST_F(Cli, ExtraWordAfterTheNameIsAnError) {
    make_unstartable("web");
    auto start = kiste({"start", "web", "word"});
    EXPECT_EQ(start.code, 1);
    EXPECT_TRUE(has(start.err, "unexpected argument 'word'")) << start.err;
    EXPECT_TRUE(has(start.err, "init")) << start.err;
    EXPECT_TRUE(has(start.err, "after --")) << start.err;
    EXPECT_FALSE(has(start.err, "no-such-rootfs")) << start.err;  // nothing was tried
    EXPECT_FALSE(has(start.err, "refusing")) << start.err;
    for (const char* verb : {"stop", "info", "console", "freeze", "unfreeze", "destroy"}) {
        auto r = kiste({verb, "web", "word"});
        EXPECT_EQ(r.code, 1) << verb;
        EXPECT_TRUE(has(r.err, "unexpected argument 'word'")) << verb << ": " << r.err;
    }
    auto wait = kiste({"wait", "web", "STOPPED", "word"});
    EXPECT_EQ(wait.code, 1);
    EXPECT_TRUE(has(wait.err, "unexpected argument 'word'")) << wait.err;
    EXPECT_TRUE(fs::exists(lxcpath_ / "web/config"));  // destroy did not run

    auto create = kiste({"create", "made", "-t", "none", "word"});
    EXPECT_EQ(create.code, 1);
    EXPECT_TRUE(has(create.err, "unexpected argument 'word'")) << create.err;
    EXPECT_TRUE(has(create.err, "template's arguments go after --")) << create.err;
    EXPECT_FALSE(fs::exists(lxcpath_ / "made"));
}

// A name as the argument and another with -n: an error that says so, and
// nothing is made (the first name was once handed to the template).
TEST_F(Cli, TwoNamesAreAnError) {
    auto create = kiste({"create", "cold-x", "-t", "busybox", "-n", "cold-y"});
    EXPECT_EQ(create.code, 1);
    EXPECT_TRUE(has(create.err, "two container names given: 'cold-x' and -n 'cold-y'"))
        << create.err;
    EXPECT_FALSE(has(create.err, "busybox:")) << create.err;  // the template never ran
    EXPECT_FALSE(fs::exists(lxcpath_ / "cold-x"));
    EXPECT_FALSE(fs::exists(lxcpath_ / "cold-y"));

    make_unstartable("web");
    for (const char* verb : {"start", "stop", "info", "destroy"}) {
        auto r = kiste({verb, "web", "-n", "other"});
        EXPECT_EQ(r.code, 1) << verb;
        EXPECT_TRUE(has(r.err, "two container names given: 'web' and -n 'other'"))
            << verb << ": " << r.err;
    }
    EXPECT_TRUE(fs::exists(lxcpath_ / "web/config"));
}

TEST_F(Cli, WaitHelpShowsTheStateOnce) {
    auto r = kiste({"wait", "--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(has(r.out, "state")) << r.out;
    EXPECT_TRUE(has(r.out, "RUNNING")) << r.out;
    EXPECT_FALSE(has(r.out, "-s,")) << r.out;
    EXPECT_FALSE(has(r.out, "--state")) << r.out;
    EXPECT_TRUE(has(r.out, "-n,--name")) << r.out;
}

TEST_F(Cli, UnknownCommandSuggestsTheNearest) {
    auto r = kiste({"strat", "web"});
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(has(r.err, "unknown command 'strat'")) << r.err;
    EXPECT_TRUE(has(r.err, "did you mean 'start'?")) << r.err;
    for (const char* verb : {"create", "destroy", "attach", "execute", "unfreeze", "network"})
        EXPECT_TRUE(has(r.err, std::string("  ") + verb + " ")) << verb << ": " << r.err;
    EXPECT_FALSE(has(r.err, "A subcommand is required")) << r.err;

    auto far = kiste({"banana"});
    EXPECT_EQ(far.code, 1);
    EXPECT_TRUE(has(far.err, "unknown command 'banana'")) << far.err;
    EXPECT_FALSE(has(far.err, "did you mean")) << far.err;

    // Nothing at all: the usage and the list.
    auto bare = run({kiste_binary()});
    EXPECT_EQ(bare.code, 1);
    EXPECT_TRUE(has(bare.err, "Usage:")) << bare.err;
    EXPECT_TRUE(has(bare.err, "destroy")) << bare.err;
}

// Two containers created from one config with a fixed hwaddr (a copy of
// another container's) get two MACs; LXC's 'x' digits are filled per container.
TEST_F(Cli, CreateFromAConfigGivesEachContainerItsOwnMac) {
    TempDir tree;
    const std::string conf = lxcpath_ / "source.conf";
    write_file(conf,
               "lxc.net.0.type = veth\n"
               "lxc.net.0.hwaddr = 00:16:3e:12:34:56\n"
               "lxc.net.1.type = veth\n"
               "lxc.net.1.hwaddr = 10:66:6a:xx:xx:xx\n");
    const std::regex line(R"(\nlxc\.net\.(\d)\.hwaddr = ([0-9a-f:]+)\n)");
    std::vector<std::string> macs;
    for (const char* name : {"c1", "c2"}) {
        auto r = kiste({"create", name, "-t", "dir", "-f", conf, "--", "--dir", tree.path()});
        ASSERT_EQ(r.code, 0) << r.err;
        const std::string text = read_file(lxcpath_ / (std::string(name) + "/config"));
        for (auto it = std::sregex_iterator(text.begin(), text.end(), line);
             it != std::sregex_iterator(); ++it)
            macs.push_back((*it)[2]);
    }
    ASSERT_EQ(macs.size(), 4u);
    EXPECT_NE(macs[0], macs[2]);
    EXPECT_NE(macs[1], macs[3]);
    EXPECT_NE(macs[0], "00:16:3e:12:34:56");
    EXPECT_TRUE(macs[1].starts_with("10:66:6a:")) << macs[1];
    for (const char* name : {"c1", "c2"}) EXPECT_EQ(kiste({"destroy", name}).code, 0);
}

// A container path reached through a symlink is the same path (one run
// root, one set of name locks): found by a cold try, where the link's
// spelling showed a running container as STOPPED and ran a second one.
TEST_F(Cli, ContainerPathThroughASymlinkIsTheSamePath) {
    TempDir links;
    const std::string link = links / "lxcpath";
    fs::create_directory_symlink(lxcpath_.path(), link);
    const std::string real = fs::canonical(lxcpath_.path()).string();
    auto r = run({kiste_binary(), "-P", link, "info", "nosuch"}, {},
                 {"KISTE_RUN_DIR=" + run_dir_.path()});
    EXPECT_NE(r.code, 0);
    EXPECT_TRUE(has(r.err, "does not exist in " + real)) << r.err;
    EXPECT_FALSE(has(r.err, link)) << r.err;
    r = run({kiste_binary(), "info", "nosuch"}, {},
            {"KISTE_RUN_DIR=" + run_dir_.path(), "KISTE_PATH=" + link});
    EXPECT_TRUE(has(r.err, "does not exist in " + real)) << r.err;
    EXPECT_FALSE(has(r.err, link)) << r.err;
}

}  // namespace
}  // namespace kiste::test
