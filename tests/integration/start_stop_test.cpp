// kiste start and stop as an LXC user meets them: a config without a root
// of its own is refused (it would boot the host), the halt signal suits the
// init, a stop that had to kill says so, and the exit codes are lxc-start's
// and lxc-stop's. Root only.
//
// No test here may ever boot the host's init, even with the refusal broken:
// every config without a rootfs runs lxc.init.cmd = /bin/true.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class StartStop : public ::testing::Test {
protected:
    void SetUp() override { KISTE_REQUIRE_ROOT(); }
    void TearDown() override {
        if (::geteuid() != 0) return;
        for (const auto& n : created_) kiste({"stop", "-k", n});
        for (const auto& e : fs::recursive_directory_iterator(run_dir_.path()))
            ADD_FAILURE() << "left in the run dir: " << e.path();
        EXPECT_TRUE(mounts_matching(lxcpath_.path()).empty());
    }

    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }
    std::string dir(const std::string& name) const { return lxcpath_.path() + "/" + name; }

    // A container whose config is `text` alone (no template, no rootfs unless it says so).
    void write_config(const std::string& name, const std::string& text) {
        fs::create_directories(dir(name));
        write_file(dir(name) + "/config", text);
        created_.push_back(name);
    }

    // A busybox container whose init is `script` (run by busybox sh), with
    // no lxc.signal.halt: kiste picks the halt signal itself.
    void make_script_container(const std::string& name, const std::string& script) {
        fs::create_directories(dir(name));
        write_file(dir(name) + "/config", "lxc.init.cmd = /bin/sh /halt-test.sh\n");
        auto r = run({std::string(KISTE_SOURCE_DIR) + "/templates/busybox", "--path", dir(name),
                      "--name", name, "--rootfs", dir(name) + "/rootfs", "--ttys", "0"});
        ASSERT_EQ(r.code, 0) << r.err;
        created_.push_back(name);
        std::istringstream in(read_file(dir(name) + "/config"));
        std::string kept, line;
        while (std::getline(in, line))
            if (line.find("lxc.signal.halt") == std::string::npos) kept += line + "\n";
        write_file(dir(name) + "/config", kept);
        write_file(dir(name) + "/rootfs/halt-test.sh", script);
    }

    std::string state_of(const std::string& name) {
        auto r = kiste({"info", "-s", name});
        return r.out.empty() ? r.err : r.out.substr(0, r.out.size() - 1);
    }

    TempDir lxcpath_;
    TempDir run_dir_;
    std::vector<std::string> created_;
};

TEST_F(StartStop, ConfigWithoutRootfsIsRefused) {
    // /bin/true: were the refusal missing, this "container" would run it on
    // the host's files and exit, nothing more.
    write_config("noroot", "lxc.init.cmd = /bin/true\n");
    auto r = kiste({"start", "noroot"});
    EXPECT_NE(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("noroot"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("lxc.rootfs.path"), std::string::npos) << r.err;
    EXPECT_EQ(state_of("noroot"), "STOPPED");
    // Nothing was made for it: no runtime directory, no log of a monitor.
    EXPECT_TRUE(fs::is_empty(run_dir_.path()));
    EXPECT_FALSE(fs::exists(dir("noroot") + "/log"));

    // The same through -f and in the foreground.
    write_file(lxcpath_.path() + "/other.conf", "lxc.init.cmd = /bin/true\n");
    r = kiste({"start", "-F", "-f", lxcpath_.path() + "/other.conf", "noroot"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find(lxcpath_.path() + "/other.conf"), std::string::npos) << r.err;
}

TEST_F(StartStop, HostRootAsRootfsIsRefused) {
    write_config("hostroot", "lxc.rootfs.path = dir:/\nlxc.init.cmd = /bin/true\n");
    auto r = kiste({"start", "hostroot"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("host's own root"), std::string::npos) << r.err;
    // A path that only leads back to / is the same root.
    write_config("hostroot2", "lxc.rootfs.path = /usr/..\nlxc.init.cmd = /bin/true\n");
    r = kiste({"start", "hostroot2"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("host's own root"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::is_empty(run_dir_.path()));
}

TEST_F(StartStop, CreateNoneGivesAnEmptyRootfs) {
    auto r = kiste({"create", "empty", "-t", "none"});
    ASSERT_EQ(r.code, 0) << r.err;
    created_.push_back("empty");
    const std::string config = read_file(dir("empty") + "/config");
    EXPECT_NE(config.find("lxc.rootfs.path = dir:" + dir("empty") + "/rootfs"), std::string::npos)
        << config;
    ASSERT_TRUE(fs::is_directory(dir("empty") + "/rootfs"));
    EXPECT_TRUE(fs::is_empty(dir("empty") + "/rootfs"));
    // Its init is looked for in that empty root, never on the host.
    r = kiste({"start", "-s", "lxc.init.cmd=/bin/true", "empty"});
    EXPECT_NE(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("rootfs " + dir("empty") + "/rootfs is empty"), std::string::npos)
        << r.err;
    EXPECT_EQ(state_of("empty"), "STOPPED");
    r = kiste({"destroy", "empty"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_FALSE(fs::exists(dir("empty")));
}

TEST_F(StartStop, InitIgnoringSigpwrHaltsOnSigrtmin3) {
    // 37 is SIGRTMIN+3 with glibc; busybox sh knows it by number only.
    make_script_container("rt3",
                          "trap '' PWR\n"
                          "trap 'exit 0' 37\n"
                          "while :; do sleep 1 & wait; done\n");
    auto r = kiste({"start", "rt3"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto t0 = std::chrono::steady_clock::now();
    r = kiste({"stop", "-t", "20", "rt3"});
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_LT(took, 10s) << "waited for the SIGKILL timeout";
    EXPECT_EQ(state_of("rt3"), "STOPPED");
}

TEST_F(StartStop, StopThatHadToKillSaysSo) {
    make_script_container("deaf",
                          "trap '' PWR 37\n"
                          "while :; do sleep 1 & wait; done\n");
    auto r = kiste({"start", "deaf"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto t0 = std::chrono::steady_clock::now();
    r = kiste({"stop", "-t", "1", "deaf"});
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("killed"), std::string::npos) << r.err;
    EXPECT_GE(took, 1s);
    EXPECT_LT(took, 10s);
    EXPECT_EQ(state_of("deaf"), "STOPPED");

    // -k asks for the kill: no failure.
    ASSERT_EQ(kiste({"start", "deaf"}).code, 0);
    r = kiste({"stop", "-k", "deaf"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "");
}

TEST_F(StartStop, ExitCodesAsLxc) {
    // lxc-stop: 2 with a message when the container does not run.
    auto r = kiste({"stop", "nosuch"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("nosuch"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;

    make_script_container("idle", "trap 'exit 0' PWR\nwhile :; do sleep 1 & wait; done\n");
    r = kiste({"stop", "idle"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("idle is not running"), std::string::npos) << r.err;
    r = kiste({"stop", "-k", "idle"});
    EXPECT_EQ(r.code, 2);

    // A wait for a name that is neither defined nor running says so, not
    // only that it is STOPPED ("Connection timed out").
    r = kiste({"wait", "nosuch", "RUNNING", "-t", "0"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("nosuch does not exist"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("timed out"), std::string::npos) << r.err;

    // lxc-start: starting a running container succeeds, with a message.
    ASSERT_EQ(kiste({"start", "idle"}).code, 0);
    r = kiste({"start", "idle"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.err.find("already RUNNING"), std::string::npos) << r.err;
    EXPECT_EQ(state_of("idle"), "RUNNING");
    r = kiste({"stop", "idle"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(state_of("idle"), "STOPPED");
}

// kiste names cgroups by container name alone: a second container of that
// name (the same config under kiste execute -f, or another container path)
// is refused and never kills the running one (found by a cold try: both
// killed it).
TEST_F(StartStop, ASecondContainerOfTheSameNameNeverKillsTheFirst) {
    make_script_container("twin", "trap 'exit 0' PWR\nwhile :; do sleep 1 & wait; done\n");
    ASSERT_EQ(kiste({"start", "twin"}).code, 0);
    ASSERT_EQ(state_of("twin"), "RUNNING");

    // An execute of the name in the same container path finds its name taken.
    auto r = kiste({"execute", "-n", "twin", "-f", dir("twin") + "/config", "--", "/bin/true"});
    EXPECT_NE(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("container twin is already running"), std::string::npos) << r.err;
    EXPECT_EQ(state_of("twin"), "RUNNING");

    TempDir other;
    fs::create_directories(other.path() + "/twin");
    write_file(other.path() + "/twin/config", read_file(dir("twin") + "/config"));
    r = run({kiste_binary(), "-P", other.path(), "start", "twin"}, {},
            {"KISTE_RUN_DIR=" + run_dir_.path()});
    EXPECT_NE(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("another running container of this name"), std::string::npos) << r.err;
    EXPECT_EQ(state_of("twin"), "RUNNING");

    EXPECT_EQ(kiste({"stop", "twin"}).code, 0);
}

// As lxc-start: a command after "--" runs instead of lxc.init.cmd.
TEST_F(StartStop, CommandAfterDashesRunsInsteadOfInit) {
    make_script_container("cmd", "exit 3\n");  // lxc.init.cmd would end at once
    auto r = kiste({"start", "cmd", "--", "/bin/sleep", "600"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(state_of("cmd"), "RUNNING");
    std::string pid = kiste({"info", "-p", "cmd"}).out;
    while (!pid.empty() && std::isspace(static_cast<unsigned char>(pid.back()))) pid.pop_back();
    std::string cmdline = read_file("/proc/" + pid + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    EXPECT_EQ(cmdline, "/bin/sleep 600 ") << "pid " << pid;
    EXPECT_EQ(kiste({"stop", "-k", "cmd"}).code, 0);
}

}  // namespace
}  // namespace kiste::test
