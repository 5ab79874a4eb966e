// A start that fails at any step leaves nothing behind: no cgroup under
// kiste.monitor or kiste.payload in any hierarchy, no network device, no run
// dir or state file, no name lock, no process. The steps fail on purpose
// (KISTE_TEST_FAIL_AT, src/base/fail_point.hpp). Root only.
#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/fail_point.hpp"
#include "cgroup/host.hpp"
#include "harness.hpp"
#include "state/container_state.hpp"
#include "state/run_lock.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class StartFailure : public ::testing::Test {
protected:
    void SetUp() override {
        KISTE_REQUIRE_ROOT();
        if (!fail_points_built())
            GTEST_SKIP() << "this build ignores KISTE_TEST_FAIL_AT (KISTE_FAIL_POINTS=OFF)";
        // The name lock and the run dir live below it, for kiste and for the checks here.
        ::setenv("KISTE_RUN_DIR", run_dir_.path().c_str(), 1);
        const std::string id = std::to_string(::getpid() % 100000);
        name_ = "kfail" + id;
        pair_ = "kfv" + id;
    }
    void TearDown() override {
        if (::geteuid() != 0 || name_.empty()) return;
        kiste({"stop", "-k", name_});
        ::unsetenv("KISTE_RUN_DIR");
    }

    RunResult kiste(const std::vector<std::string>& args,
                    const std::vector<std::string>& env = {}) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, env);
    }

    // A busybox container with one tty and a veth pair named pair_.
    void make_container() {
        std::string dir = lxcpath_.path() + "/" + name_;
        fs::create_directories(dir);
        write_file(dir + "/config", "lxc.net.0.type = veth\nlxc.net.0.veth.pair = " + pair_ +
                                        "\nlxc.net.0.flags = up\n");
        auto r = run({std::string(KISTE_SOURCE_DIR) + "/templates/busybox", "--path", dir, "--name",
                      name_, "--rootfs", dir + "/rootfs", "--ttys", "1"});
        ASSERT_EQ(r.code, 0) << r.err;
    }

    // The container's cgroups in every hierarchy kiste would use from here
    // (kiste runs in this test's cgroups).
    std::vector<std::string> cgroups_present() {
        std::vector<std::string> out;
        auto host = cgroup::discover_host();
        EXPECT_TRUE(host.has_value());
        if (!host) return out;
        for (const auto& h : host->hierarchies)
            for (const char* parent : {"kiste.monitor", "kiste.payload"}) {
                const std::string dir = h.base + "/" + parent + "/" + name_;
                if (fs::exists(dir)) out.push_back(dir);
            }
        return out;
    }

    // Processes whose environment holds `marker` (kiste passes its own on).
    static std::vector<pid_t> marked_processes(const std::string& marker) {
        std::vector<pid_t> out;
        for (const auto& e : fs::directory_iterator("/proc")) {
            const std::string n = e.path().filename();
            if (n.find_first_not_of("0123456789") != std::string::npos) continue;
            std::ifstream f(e.path() / "environ");
            std::stringstream ss;
            ss << f.rdbuf();
            const std::string env = ss.str();
            for (size_t pos = 0; pos < env.size();) {
                size_t end = env.find('\0', pos);
                if (end == std::string::npos) end = env.size();
                if (env.compare(pos, end - pos, marker) == 0)
                    out.push_back(static_cast<pid_t>(std::stol(n)));
                pos = end + 1;
            }
        }
        return out;
    }

    void expect_nothing_left(const std::string& marker) {
        // What the monitor's children hold dies with them: give them a moment.
        for (int i = 0; i < 100 && !marked_processes(marker).empty(); ++i)
            std::this_thread::sleep_for(20ms);
        for (pid_t pid : marked_processes(marker)) ADD_FAILURE() << "process " << pid << " left";
        for (const auto& dir : cgroups_present()) ADD_FAILURE() << "cgroup left: " << dir;
        EXPECT_FALSE(fs::exists("/sys/class/net/" + pair_)) << "network device " << pair_;
        for (const auto& e : fs::recursive_directory_iterator(run_dir_.path()))
            ADD_FAILURE() << "left in the run dir: " << e.path();
        const state::ContainerPaths paths{lxcpath_.path(), name_};
        EXPECT_FALSE(state::NameLock::held(paths.run_root(), name_)) << "name lock held";
    }

    TempDir lxcpath_;
    TempDir run_dir_;
    std::string name_;
    std::string pair_;
};

TEST_F(StartFailure, EveryFailedStepLeavesNothing) {
    make_container();
    // The checks see a running container's parts (else they prove nothing).
    {
        const std::string marker = "KISTE_TEST_MARK=" + name_ + "-ok";
        auto r = kiste({"start", name_}, {marker});
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_FALSE(cgroups_present().empty());
        EXPECT_TRUE(fs::exists("/sys/class/net/" + pair_));
        EXPECT_FALSE(marked_processes(marker).empty());
        ASSERT_EQ(kiste({"stop", "-k", name_}).code, 0);
        expect_nothing_left(marker);
    }
    struct Step {
        const char* name;
        const char* says;  // in the failed start's error
    };
    const Step steps[] = {
        {"fork-monitor", "forking the monitor"},
        {"name-lock", "injected failure at step 'name-lock'"},
        {"run-dir", "injected failure at step 'run-dir'"},
        {"state-file", "injected failure at step 'state-file'"},
        {"monitor-socket", "injected failure at step 'monitor-socket'"},
        {"pty-console", "kernel.pty.max"},
        {"pty-tty1", "kernel.pty.max"},
        {"monitor-cgroup", "injected failure at step 'monitor-cgroup'"},
        {"payload-cgroup", "injected failure at step 'payload-cgroup'"},
        {"cgroup-settings", "injected failure at step 'cgroup-settings'"},
        {"network", "injected failure at step 'network'"},
        {"launch", "injected failure at step 'launch'"},
        {"running", "injected failure at step 'running'"},
        {"monitor-crash", "exited without starting it"},
    };
    for (const auto& step : steps) {
        SCOPED_TRACE(step.name);
        const std::string marker = "KISTE_TEST_MARK=" + name_ + "-" + step.name;
        auto r = kiste({"start", name_}, {marker, std::string("KISTE_TEST_FAIL_AT=") + step.name});
        EXPECT_NE(r.code, 0);
        EXPECT_TRUE(has(r.err, step.says)) << r.err;
        expect_nothing_left(marker);
    }
    // And the container still starts.
    ASSERT_EQ(kiste({"start", name_}).code, 0);
    EXPECT_EQ(kiste({"stop", "-k", name_}).code, 0);
}

// A real ENOSPC: kiste starts in a private mount namespace whose /dev/ptmx is
// a devpts instance with room for one pty, the console; tty1 finds none.
TEST_F(StartFailure, NoPtyLeftSaysWhichLimitAndHowToRaiseIt) {
    const std::string unshare = "/usr/bin/unshare";
    if (::access(unshare.c_str(), X_OK) != 0) GTEST_SKIP() << "no " << unshare << " (util-linux)";
    make_container();
    const std::string marker = "KISTE_TEST_MARK=" + name_ + "-pty";
    const std::string script =
        "mount -t devpts -o newinstance,ptmxmode=0666,max=1 devpts /dev/pts && "
        "mount --bind /dev/pts/ptmx /dev/ptmx && exec \"$@\"";
    auto r = run({unshare, "-m", "--propagation", "private", "/bin/sh", "-c", script, "sh",
                  kiste_binary(), "-P", lxcpath_.path(), "start", name_},
                 {}, {marker});
    EXPECT_NE(r.code, 0) << r.out << r.err;
    EXPECT_TRUE(has(r.err, "allocating a pty for the container's tty1: No space left on device"))
        << r.err;
    EXPECT_TRUE(has(r.err, "kernel.pty.max = ")) << r.err;
    EXPECT_TRUE(has(r.err, "/proc/sys/kernel/pty/nr")) << r.err;
    EXPECT_TRUE(has(r.err, "max= mount option")) << r.err;
    EXPECT_TRUE(has(r.err, "kiste's ")) << r.err;
    expect_nothing_left(marker);
}

}  // namespace
}  // namespace kiste::test
