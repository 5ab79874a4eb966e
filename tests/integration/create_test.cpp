// kiste create / destroy / autostart -L against the real file system (root).
// The busybox template runs for real; failing and slow templates are small
// scripts in a temporary template directory.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "config/lxc/config.hpp"
#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Create : public ::testing::Test {
protected:
    void SetUp() override {
        KISTE_REQUIRE_ROOT();
        lxcpath_ = top_.path() + "/lxc";  // made by kiste create itself
        tdir_ = top_.path() + "/templates";
        fs::create_directories(tdir_);
    }
    void TearDown() override {
        if (::geteuid() != 0) return;
        EXPECT_TRUE(mounts_matching(top_.path()).empty()) << "mounts left below " << top_.path();
    }

    std::vector<std::string> env() const {
        return {"KISTE_RUN_DIR=" + run_dir_.path(), "KISTE_TEMPLATE_PATH=" + tdir_};
    }
    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, env());
    }
    std::string dir(const std::string& name) const { return lxcpath_ + "/" + name; }

    // An executable in the temporary template directory.
    std::string template_script(const std::string& name, const std::string& body) {
        std::string p = tdir_ + "/" + name;
        write_file(p, "#!/bin/sh\n" + body);
        ::chmod(p.c_str(), 0755);
        return p;
    }

    lxc::LxcConfig config_of(const std::string& name) {
        auto c = lxc::load_file(dir(name) + "/config");
        EXPECT_TRUE(c) << c.error().message();
        return c ? *c : lxc::LxcConfig{};
    }

    TempDir top_;
    TempDir run_dir_;
    std::string lxcpath_;
    std::string tdir_;
};

// Whether a process has ended (a zombie awaiting its reaper counts), within 2 s.
bool gone(pid_t pid) {
    for (int i = 0; i < 100; ++i) {
        if (::kill(pid, 0) != 0) return true;
        const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
        auto close = stat.rfind(')');
        if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z')
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

// Shell snippet: the value of --path / --rootfs in $p / $r.
constexpr const char* kParseArgs =
    "while [ $# -gt 0 ]; do case $1 in --path) p=$2; shift;; --rootfs) r=$2; shift;; esac; "
    "shift; done\n";

TEST_F(Create, BusyboxAndDestroy) {
    auto r = kiste({"create", "bb", "-t", "busybox", "--", "--ttys", "2"});
    ASSERT_EQ(r.code, 0) << r.err;

    auto cfg = config_of("bb");
    EXPECT_EQ(cfg.rootfs_path, "dir:" + dir("bb") + "/rootfs");
    EXPECT_TRUE(cfg.spec.rootfs.managed);
    EXPECT_EQ(cfg.spec.hostname, "bb");
    EXPECT_EQ(cfg.spec.dev.tty_max, 2u);
    EXPECT_EQ(cfg.init_cmd, "/sbin/init");
    const std::string text = read_file(dir("bb") + "/config");
    EXPECT_NE(text.find("# Template used to create this container: busybox"), std::string::npos);

    struct stat st {};
    ASSERT_EQ(::stat(dir("bb").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0770u);
    EXPECT_FALSE(fs::exists(dir("bb") + "/partial"));

    const std::string rootfs = dir("bb") + "/rootfs";
    EXPECT_TRUE(fs::is_regular_file(rootfs + "/bin/busybox"));
    EXPECT_TRUE(fs::is_symlink(rootfs + "/sbin/init"));
    const std::string inittab = read_file(rootfs + "/etc/inittab");
    EXPECT_NE(inittab.find("\n::askfirst:-/bin/sh\n"), std::string::npos) << inittab;
    EXPECT_NE(inittab.find("\ntty1::askfirst:-/bin/sh\n"), std::string::npos) << inittab;
    EXPECT_NE(inittab.find("\ntty2::askfirst:-/bin/sh\n"), std::string::npos) << inittab;
    EXPECT_EQ(inittab.find("tty3"), std::string::npos) << inittab;
    // No DHCP client that would replace the static addresses kiste sets.
    auto grep = run({"/bin/grep", "-rl", "udhcpc", rootfs + "/etc"});
    EXPECT_NE(grep.code, 0) << grep.out;
    EXPECT_EQ(read_file(rootfs + "/etc/hostname"), "bb\n");

    r = kiste({"destroy", "bb"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_FALSE(fs::exists(dir("bb")));
    EXPECT_TRUE(fs::is_empty(lxcpath_));
    r = kiste({"destroy", "bb"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

TEST_F(Create, ConfigFromFileIsKeptAndCompleted) {
    write_file(top_.path() + "/common.conf", "lxc.start.order = 7\n");
    write_file(top_.path() + "/my.conf",
               "# mine\nlxc.include = common.conf\nlxc.uts.name = chosen\n"
               "lxc.rootfs.path = dir:/somewhere/else\nlxc.start.auto = 1\n");
    auto r = kiste({"create", "withconf", "-t", "busybox", "-f", top_.path() + "/my.conf"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto cfg = config_of("withconf");
    EXPECT_EQ(cfg.spec.hostname, "chosen");
    EXPECT_EQ(cfg.start_order, 7);  // the relative include still resolves
    EXPECT_TRUE(cfg.start_auto);
    // The template builds the rootfs in the container's directory (as lxc-create).
    EXPECT_EQ(cfg.rootfs_path, "dir:" + dir("withconf") + "/rootfs");
    EXPECT_TRUE(fs::exists(dir("withconf") + "/rootfs/bin/busybox"));
    EXPECT_EQ(kiste({"destroy", "withconf"}).code, 0);

    // A broken -f: refused before anything is made.
    write_file(top_.path() + "/broken.conf", "lxc.no.such.key = 1\n");
    r = kiste({"create", "broken", "-t", "busybox", "-f", top_.path() + "/broken.conf"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("broken.conf:1"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir("broken")));
}

TEST_F(Create, ExistingNameIsRefused) {
    ASSERT_EQ(kiste({"create", "twice", "-t", "none"}).code, 0);
    const std::string before = read_file(dir("twice") + "/config");
    auto r = kiste({"create", "twice", "-t", "busybox"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(dir("twice") + "/config"), before);
    EXPECT_TRUE(fs::is_empty(dir("twice") + "/rootfs"));  // none's, left unfilled
    EXPECT_EQ(kiste({"destroy", "twice"}).code, 0);

    // A directory that is not a container is not taken over, nor destroyed.
    fs::create_directories(dir("stray"));
    r = kiste({"create", "stray", "-t", "none"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("no config"), std::string::npos) << r.err;
    EXPECT_NE(kiste({"destroy", "stray"}).code, 0);
    EXPECT_TRUE(fs::exists(dir("stray")));

    EXPECT_NE(kiste({"create", "bad/name", "-t", "none"}).code, 0);
    EXPECT_NE(kiste({"create", "nothing"}).code, 0);  // no -t
    EXPECT_NE(kiste({"create", "x", "-t", "no-such-template"}).code, 0);
    EXPECT_FALSE(fs::exists(dir("x")));
    EXPECT_FALSE(fs::exists(dir("nothing")));
}

TEST_F(Create, FailingTemplateLeavesNothing) {
    // It makes files in the rootfs and the container directory, then fails.
    template_script("kiste-failing", std::string(kParseArgs) +
                                         "mkdir -p \"$r/etc/deep/er\" && echo x > "
                                         "\"$r/etc/deep/er/f\"\n"
                                         "echo junk > \"$p/extra\"\n"
                                         "echo 'lxc.start.auto = 1' >> \"$p/config\"\n"
                                         "echo 'failing on purpose' >&2\nexit 1\n");
    auto r = kiste({"create", "f1", "-t", "failing"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("failing on purpose"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("template failing"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir("f1")));
    // kiste create made the container path for it: gone as well.
    EXPECT_FALSE(fs::exists(lxcpath_));

    // A template that succeeds but leaves a config kiste cannot read.
    template_script("kiste-badconf",
                    std::string(kParseArgs) + "echo 'lxc.no.such.key = 1' >> \"$p/config\"\n");
    r = kiste({"create", "f2", "-t", "badconf"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("lxc.no.such.key"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir("f2")));
}

TEST_F(Create, ExternalTemplateConvention) {
    const std::string script = template_script(
        "recorder",
        "for x in \"$@\"; do a=\"$a|$x\"; done\n"
        "echo \"$a\" > \"$LXC_ROOTFS_PATH/args\"\n"
        "echo \"$LXC_NAME $LXC_PATH $LXC_ROOTFS_PATH $LXC_CONFIG_FILE\" > "
        "\"$LXC_ROOTFS_PATH/env\"\n"
        "[ -f \"$LXC_CONFIG_FILE\" ] && echo config-present >> \"$LXC_ROOTFS_PATH/env\"\n"
        "exit 0\n");
    // By path (any name), with template arguments.
    auto r = kiste({"create", "ext", "-t", script, "--", "--flavour", "two words"});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string d = dir("ext");
    EXPECT_EQ(read_file(d + "/rootfs/args"),
              "|--path|" + d + "|--name|ext|--rootfs|" + d + "/rootfs|--flavour|two words\n");
    EXPECT_EQ(read_file(d + "/rootfs/env"),
              "ext " + d + " " + d + "/rootfs " + d + "/config\nconfig-present\n");
    EXPECT_EQ(kiste({"destroy", "ext"}).code, 0);

    // By name through the template path: lxc-NAME works as kiste-NAME does.
    fs::rename(script, tdir_ + "/lxc-recorder");
    r = kiste({"create", "ext2", "-t", "recorder"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::exists(dir("ext2") + "/rootfs/args"));
    EXPECT_EQ(kiste({"destroy", "ext2"}).code, 0);
}

TEST_F(Create, InterruptedCreateCleansUp) {
    // The template records its pid and its child's, then works "forever".
    template_script("kiste-slow", std::string(kParseArgs) +
                                      "echo $$ > \"$r/pid\"\n"
                                      "sleep 300 &\necho $! > \"$r/child.new\"\n"
                                      "mv \"$r/child.new\" \"$r/child\"\nwait\n");
    const std::vector<std::string> e = env();
    pid_t pid = ::fork();
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 1);
        ::dup2(null, 2);
        for (const auto& v : e) ::putenv(const_cast<char*>(v.c_str()));
        ::execl(kiste_binary().c_str(), "kiste", "-P", lxcpath_.c_str(), "create", "slow", "-t",
                "slow", nullptr);
        ::_exit(127);
    }
    const std::string childfile = dir("slow") + "/rootfs/child";
    for (int i = 0; i < 400 && !fs::exists(childfile); ++i) std::this_thread::sleep_for(25ms);
    if (!fs::exists(childfile)) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        FAIL() << "the template did not start";
    }
    const pid_t tpid = std::atoi(read_file(dir("slow") + "/rootfs/pid").c_str());
    const pid_t spid = std::atoi(read_file(childfile).c_str());
    ASSERT_GT(tpid, 0);
    ASSERT_GT(spid, 0);

    ::kill(pid, SIGINT);
    int status = 0;
    const auto t0 = std::chrono::steady_clock::now();
    ::waitpid(pid, &status, 0);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_NE(WEXITSTATUS(status), 0);
    EXPECT_FALSE(fs::exists(dir("slow")));
    // The template and what it started are gone too (its process group).
    EXPECT_TRUE(gone(tpid));
    EXPECT_TRUE(gone(spid));
}

TEST_F(Create, NoneAndDir) {
    // none: a config and an empty rootfs to fill (as lxc-create -t none),
    // never a config that would boot the host's init.
    ASSERT_EQ(kiste({"create", "n1", "-t", "none"}).code, 0);
    EXPECT_TRUE(fs::exists(dir("n1") + "/config"));
    EXPECT_TRUE(fs::is_empty(dir("n1") + "/rootfs"));
    EXPECT_EQ(config_of("n1").rootfs_path, "dir:" + dir("n1") + "/rootfs");
    EXPECT_TRUE(config_of("n1").spec.rootfs.managed);

    // none with -f naming a rootfs: kept, and destroy leaves it alone.
    const std::string tree = top_.path() + "/tree";
    make_busybox_rootfs(tree);
    write_file(top_.path() + "/n2.conf", "lxc.rootfs.path = dir:" + tree + "\n");
    ASSERT_EQ(kiste({"create", "n2", "-t", "none", "-f", top_.path() + "/n2.conf"}).code, 0);
    auto cfg = config_of("n2");
    EXPECT_EQ(cfg.rootfs_path, "dir:" + tree);
    EXPECT_FALSE(cfg.spec.rootfs.managed);

    // dir: an existing tree, never deleted by destroy.
    auto r = kiste({"create", "d1", "-t", "dir", "--", "--dir", tree});
    ASSERT_EQ(r.code, 0) << r.err;
    cfg = config_of("d1");
    EXPECT_EQ(cfg.rootfs_path, "dir:" + tree);
    EXPECT_FALSE(cfg.spec.rootfs.managed);
    EXPECT_NE(kiste({"create", "d2", "-t", "dir"}).code, 0);  // no --dir
    EXPECT_NE(kiste({"create", "d3", "-t", "dir", "--", "--dir", top_.path() + "/missing"}).code,
              0);
    EXPECT_FALSE(fs::exists(dir("d2")));
    EXPECT_FALSE(fs::exists(dir("d3")));

    for (const char* n : {"n1", "n2", "d1"}) {
        r = kiste({"destroy", n});
        EXPECT_EQ(r.code, 0) << n << ": " << r.err;
        EXPECT_FALSE(fs::exists(dir(n)));
    }
    EXPECT_TRUE(fs::exists(tree + "/bin/busybox"));
}

// The config of a -t dir container (managed = 0, for the user's tree) as
// -f of a template that builds its own rootfs: that one is kiste's, and
// destroy removes it.
TEST_F(Create, TemplateFromADirContainersConfigMakesADestroyableOne) {
    const std::string tree = top_.path() + "/tree";
    make_busybox_rootfs(tree);
    auto r = kiste({"create", "dsrc", "-t", "dir", "--", "--dir", tree});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_FALSE(config_of("dsrc").spec.rootfs.managed);
    r = kiste({"create", "fromdir", "-t", "busybox", "-f", dir("dsrc") + "/config"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(config_of("fromdir").rootfs_path, "dir:" + dir("fromdir") + "/rootfs");
    EXPECT_TRUE(config_of("fromdir").spec.rootfs.managed);
    for (const char* n : {"fromdir", "dsrc"}) {
        r = kiste({"destroy", n});
        EXPECT_EQ(r.code, 0) << n << ": " << r.err;
        EXPECT_FALSE(fs::exists(dir(n)));
    }
    EXPECT_TRUE(fs::exists(tree + "/bin/busybox"));
}

TEST_F(Create, DestroyRemovesAManagedRootfsOutsideButNeverCrossesAMount) {
    const std::string tree = top_.path() + "/outside";
    make_busybox_rootfs(tree);
    write_file(top_.path() + "/o.conf", "lxc.rootfs.path = dir:" + tree + "\n");
    ASSERT_EQ(kiste({"create", "o1", "-t", "none", "-f", top_.path() + "/o.conf"}).code, 0);
    // The user declares it kiste's to delete.
    write_file(dir("o1") + "/config",
               read_file(dir("o1") + "/config") + "lxc.rootfs.managed = 1\n");

    // Something mounted inside: refused before anything is deleted.
    const std::string mnt = tree + "/mnt";
    ASSERT_EQ(::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m"), 0);
    auto r = kiste({"destroy", "o1"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("mounted below"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(mnt), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(dir("o1") + "/config"));
    EXPECT_TRUE(fs::exists(tree + "/bin/busybox"));
    ASSERT_EQ(::umount(mnt.c_str()), 0);

    r = kiste({"destroy", "o1"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_FALSE(fs::exists(tree));
    EXPECT_FALSE(fs::exists(dir("o1")));
}

TEST_F(Create, DestroyRefusesARunningContainer) {
    ASSERT_EQ(kiste({"create", "run1", "-t", "busybox"}).code, 0);
    auto start = kiste({"start", "run1"});
    if (start.code != 0) {
        kiste({"destroy", "run1"});
        GTEST_SKIP() << "kiste start does not work yet: " << start.err;
    }
    auto r = kiste({"destroy", "run1"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("RUNNING"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(dir("run1") + "/rootfs/bin/busybox"));

    r = kiste({"destroy", "-f", "run1"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_FALSE(fs::exists(dir("run1")));
    EXPECT_TRUE(mounts_matching(dir("run1")).empty());
    for (const auto& e : fs::recursive_directory_iterator(run_dir_.path()))
        ADD_FAILURE() << "left in the run dir: " << e.path();
}

TEST_F(Create, AutostartList) {
    auto make = [&](const std::string& name, const std::string& conf) {
        write_file(top_.path() + "/" + name + ".conf", conf);
        auto r = kiste({"create", name, "-t", "none", "-f", top_.path() + "/" + name + ".conf"});
        ASSERT_EQ(r.code, 0) << r.err;
    };
    make("late", "lxc.start.auto = 1\nlxc.start.order = 20\n");
    make("early", "lxc.start.auto = 1\nlxc.start.order = 10\nlxc.start.delay = 3\n");
    make("manual", "lxc.start.order = 0\n");
    make("grouped", "lxc.start.auto = 1\nlxc.group = web\n");
    auto r = kiste({"autostart", "-L"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "early 3\nlate 0\n");
    EXPECT_EQ(kiste({"autostart", "-L", "-g", "web"}).out, "grouped 0\n");
    EXPECT_EQ(kiste({"autostart", "-L", "-a"}).out, "grouped 0\nearly 3\nlate 0\n");
    EXPECT_EQ(kiste({"autostart", "-L", "-A", "-g", ",web"}).out,
              "manual 0\nearly 3\nlate 0\ngrouped 0\n");
    // Nothing runs: nothing to stop.
    EXPECT_EQ(kiste({"autostart", "-L", "-s"}).out, "");
    for (const char* n : {"late", "early", "manual", "grouped"}) kiste({"destroy", n});
}

TEST_F(Create, AutostartStartsAndStops) {
    auto make = [&](const std::string& name, const std::string& conf) {
        write_file(top_.path() + "/" + name + ".conf", conf);
        auto r = kiste({"create", name, "-t", "busybox", "-f", top_.path() + "/" + name + ".conf"});
        ASSERT_EQ(r.code, 0) << r.err;
    };
    make("a1", "lxc.start.auto = 1\nlxc.start.order = 1\nlxc.start.delay = 1\n");
    make("a2", "lxc.start.auto = 1\nlxc.start.order = 2\n");
    make("m", "");
    auto state = [&](const std::string& name) {
        auto r = kiste({"info", "-s", name});
        return r.out.empty() ? r.err : r.out.substr(0, r.out.size() - 1);
    };
    auto cleanup = [&] {
        for (const char* n : {"a1", "a2", "m"}) kiste({"destroy", "-f", n});
    };
    const auto t0 = std::chrono::steady_clock::now();
    auto r = kiste({"autostart"});
    if (r.code != 0 && state("a1") != "RUNNING") {
        cleanup();
        GTEST_SKIP() << "kiste start does not work yet: " << r.err;
    }
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 1s);  // a1's delay before a2
    EXPECT_EQ(state("a1"), "RUNNING");
    EXPECT_EQ(state("a2"), "RUNNING");
    EXPECT_EQ(state("m"), "STOPPED");
    // Nothing left to start; the stop order is the reverse.
    EXPECT_EQ(kiste({"autostart", "-L"}).out, "");
    EXPECT_EQ(kiste({"autostart", "-L", "-s"}).out, "a2\na1\n");
    r = kiste({"autostart", "-s", "-t", "10"});
    EXPECT_EQ(r.code, 0) << r.err;
    // (A monitor may hold the name lock a moment after stop returned:
    // observed as STARTING; give it a second.)
    auto settled = [&](const std::string& name) {
        std::string s;
        for (int i = 0; i < 50 && (s = state(name)) != "STOPPED"; ++i)
            std::this_thread::sleep_for(20ms);
        return s;
    };
    EXPECT_EQ(settled("a1"), "STOPPED");
    EXPECT_EQ(settled("a2"), "STOPPED");
    cleanup();
}

// The debian template downloads from the mirror: only when asked to
// (KISTE_TEST_DEBIAN=1, as CI does), with the cache in $KISTE_CACHE_DIR (CI
// keeps it for the run) or /var/tmp/kiste-test-cache.
TEST_F(Create, Debian) {
    KISTE_REQUIRE_DEBIAN();
    const std::string cache = debian_cache_dir();
    write_file(top_.path() + "/deb.conf",
               "lxc.net.0.type = veth\nlxc.net.0.flags = up\n"
               "lxc.net.0.ipv4.address = 10.213.0.5/24\nlxc.net.0.ipv4.gateway = 10.213.0.1\n"
               "lxc.tty.max = 2\n");
    auto create = [&](const std::string& name) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_,
                                         "create",       name, "-t",
                                         "debian",       "-f", top_.path() + "/deb.conf"};
        auto e = env();
        e.push_back("KISTE_CACHE_DIR=" + cache);
        return run(argv, {}, e);
    };
    auto r = create("deb1");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    const std::string root = dir("deb1") + "/rootfs";
    EXPECT_EQ(fs::read_symlink(root + "/sbin/init").filename(), "systemd");
    EXPECT_EQ(read_file(root + "/etc/hostname"), "deb1\n");
    EXPECT_EQ(fs::read_symlink(root + "/etc/systemd/system/systemd-udevd.service"), "/dev/null");
    EXPECT_TRUE(fs::exists(root + "/etc/systemd/system/getty.target.wants/getty@tty2.service"));
    EXPECT_FALSE(fs::exists(
        fs::symlink_status(root + "/etc/systemd/system/getty.target.wants/getty@tty3.service")));
    const std::string net = read_file(root + "/etc/systemd/network/10-kiste-eth0.network");
    EXPECT_NE(net.find("Address=10.213.0.5/24"), std::string::npos) << net;
    EXPECT_NE(net.find("Gateway=10.213.0.1"), std::string::npos) << net;
    EXPECT_TRUE(read_file(root + "/etc/shadow").starts_with("root::")) << "root has a password";
    const std::string id1 = read_file(root + "/etc/machine-id");
    EXPECT_EQ(id1.size(), 33u);
    auto cfg = config_of("deb1");
    EXPECT_EQ(cfg.spec.dev.tty_max, 2u);
    EXPECT_NE(read_file(dir("deb1") + "/config").find("lxc.signal.halt = SIGRTMIN+3"),
              std::string::npos);

    // The second create copies the cache: no download, its own machine id.
    const auto t0 = std::chrono::steady_clock::now();
    r = create("deb2");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("using the cached"), std::string::npos) << r.err;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 120s);
    EXPECT_NE(read_file(dir("deb2") + "/rootfs/etc/machine-id"), id1);

    // It boots: systemd reaches running (or degraded) within 60 s, seen
    // through kiste attach, and halts cleanly. Without the template's
    // lxc.signal.halt, as in a config `lxc-create -t debian` wrote: kiste
    // must see that systemd takes SIGRTMIN+3 and not SIGPWR.
    {
        std::string conf = read_file(dir("deb1") + "/config");
        const std::string halt = "lxc.signal.halt = SIGRTMIN+3\n";
        conf.erase(conf.find(halt), halt.size());
        write_file(dir("deb1") + "/config", conf);
    }
    r = kiste({"start", "deb1"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    std::string state;
    for (auto end = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < end;
         std::this_thread::sleep_for(1s)) {
        state = kiste({"attach", "deb1", "--", "systemctl", "is-system-running"}).out;
        while (!state.empty() && std::isspace(static_cast<unsigned char>(state.back())))
            state.pop_back();
        if (state == "running" || state == "degraded") break;
    }
    EXPECT_TRUE(state == "running" || state == "degraded")
        << "systemctl is-system-running: " << state << "\n"
        << kiste({"attach", "deb1", "--", "systemctl", "--failed", "--no-pager"}).out
        << kiste({"attach", "deb1", "--", "journalctl", "-b", "-p", "warning", "--no-pager"}).out;
    const auto halt0 = std::chrono::steady_clock::now();
    r = kiste({"stop", "-t", "40", "deb1"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_LT(std::chrono::steady_clock::now() - halt0, 35s) << "systemd did not halt by itself";
    EXPECT_EQ(r.err.find("kill"), std::string::npos) << r.err;
    EXPECT_EQ(kiste({"info", "-s", "deb1"}).out, "STOPPED\n");

    EXPECT_EQ(kiste({"destroy", "deb1"}).code, 0);
    EXPECT_EQ(kiste({"destroy", "deb2"}).code, 0);
    EXPECT_FALSE(fs::exists(dir("deb1")));
}

}  // namespace
}  // namespace kiste::test
