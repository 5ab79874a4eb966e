// `kiste execute` against the real kernel (root): what a container sees, and
// that nothing is left behind.
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <thread>

#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;

class Execute : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (::geteuid() != 0) return;
        rootfs_dir_ = std::make_unique<TempDir>();
        make_busybox_rootfs(rootfs_dir_->path() + "/rootfs");
    }
    static void TearDownTestSuite() { rootfs_dir_.reset(); }

    void SetUp() override { KISTE_REQUIRE_ROOT(); }
    void TearDown() override {
        if (::geteuid() != 0) return;
        // Nothing left: no runtime dirs, no mounts of the rootfs on the host.
        EXPECT_TRUE(fs::is_empty(run_dir_.path())) << "runtime state left in " << run_dir_.path();
        EXPECT_TRUE(mounts_matching(rootfs()).empty()) << "mounts left on the host";
    }

    static std::string rootfs() { return rootfs_dir_->path() + "/rootfs"; }

    // Writes a config with the rootfs and `extra` lines; returns its path.
    std::string config(const std::string& extra, bool with_rootfs = true) {
        std::string text;
        if (with_rootfs) text += "lxc.rootfs.path = dir:" + rootfs() + "\n";
        text += extra;
        std::string path = work_ / ("c" + std::to_string(n_configs_++) + ".conf");
        write_file(path, text);
        return path;
    }

    RunResult kiste(const std::vector<std::string>& args, const std::string& input = {}) {
        std::vector<std::string> argv = {kiste_binary()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, input, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }
    RunResult exec_sh(const std::string& conf, const std::string& script,
                      const std::string& input = {}) {
        return kiste({"execute", "-f", conf, "--", "/bin/sh", "-c", script}, input);
    }

    TempDir run_dir_;
    TempDir work_;
    int n_configs_ = 0;
    static std::unique_ptr<TempDir> rootfs_dir_;
};
std::unique_ptr<TempDir> Execute::rootfs_dir_;

TEST_F(Execute, HostnameAndPid1) {
    auto r = exec_sh(config("lxc.uts.name = zeig\nlxc.mount.auto = proc:mixed\n"),
                     "hostname; cat /proc/1/comm; echo $$");
    ASSERT_EQ(r.code, 0) << r.err;
    // kiste-init is PID 1, the command its first child.
    EXPECT_EQ(r.out, "zeig\nkiste-init\n2\n");
}

TEST_F(Execute, ExitStatusAndSignalDeath) {
    EXPECT_EQ(exec_sh(config(""), "exit 3").code, 3);
    EXPECT_EQ(exec_sh(config(""), "kill -TERM $$").code, 128 + SIGTERM);
    EXPECT_EQ(exec_sh(config(""), "kill -KILL $$").code, 128 + SIGKILL);
}

TEST_F(Execute, CommandNotFound) {
    auto r = kiste({"execute", "-f", config(""), "--", "/no/such/binary"});
    EXPECT_EQ(r.code, 127);
    EXPECT_NE(r.err.find("/no/such/binary"), std::string::npos) << r.err;
}

TEST_F(Execute, StdinStdoutStderrPassThrough) {
    auto r = exec_sh(config(""), "cat; echo to-stderr >&2", "line one\nline two\n");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "line one\nline two\n");
    EXPECT_NE(r.err.find("to-stderr"), std::string::npos);
}

TEST_F(Execute, PrivateIpcMountUtsNet) {
    std::string host_ipc = fs::read_symlink("/proc/self/ns/ipc");
    std::string host_mnt = fs::read_symlink("/proc/self/ns/mnt");
    // The net namespace is made ahead on a thread of kiste's (LaunchAhead):
    // the container must still be in one of its own, not kiste's.
    std::string host_net = fs::read_symlink("/proc/self/ns/net");
    auto r = exec_sh(config("lxc.mount.auto = proc:mixed\n"),
                     "readlink /proc/self/ns/ipc; readlink /proc/self/ns/mnt; "
                     "readlink /proc/self/ns/net; "
                     "ls /sys/class/net 2>/dev/null || ip -o link | cut -d: -f2");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.find(host_ipc), std::string::npos);
    EXPECT_EQ(r.out.find(host_mnt), std::string::npos);
    EXPECT_EQ(r.out.find(host_net), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("net:["), std::string::npos) << r.out;
}

TEST_F(Execute, NetworkIsLoopbackOnlyAndUp) {
    auto r = exec_sh(config("lxc.mount.auto = proc:mixed sys:mixed\n"),
                     "ls /sys/class/net; cat /sys/class/net/lo/operstate");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, 3), "lo\n");
}

TEST_F(Execute, SignalForwarding) {
    std::string conf = config("");
    std::string marker = work_ / "ready";
    // The payload waits for SIGUSR1 and exits 42 when it arrives.
    std::vector<std::string> argv = {
        kiste_binary(), "execute",
        "-f",           conf,
        "--",           "/bin/sh",
        "-c",           "trap 'exit 42' USR1; touch /tmp/ready; while :; do sleep 0.05; done"};
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setenv("KISTE_RUN_DIR", run_dir_.path().c_str(), 1);
        std::vector<char*> c;
        for (auto& a : argv) c.push_back(a.data());
        c.push_back(nullptr);
        ::execv(c[0], c.data());
        ::_exit(127);
    }
    std::string ready = rootfs() + "/tmp/ready";
    for (int i = 0; i < 200 && !fs::exists(ready); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(fs::exists(ready));
    fs::remove(ready);
    ::kill(pid, SIGUSR1);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST_F(Execute, OrphansAreReaped) {
    // A grandchild orphaned to PID 1 exits; then the payload counts zombies.
    auto r = exec_sh(config("lxc.mount.auto = proc:mixed\n"),
                     "(sh -c 'sleep 0.1 &' &); sleep 0.5; "
                     "grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | wc -l");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "0\n");
}

TEST_F(Execute, CapabilitiesDrop) {
    auto r =
        exec_sh(config("lxc.cap.drop = sys_admin CAP_SYS_MODULE\nlxc.mount.auto = proc:mixed\n"),
                "grep -E '^Cap(Bnd|Eff)' /proc/self/status");
    ASSERT_EQ(r.code, 0) << r.err;
    // CAP_SYS_MODULE is bit 16, CAP_SYS_ADMIN bit 21.
    auto pos = r.out.find("CapBnd:\t");
    ASSERT_NE(pos, std::string::npos) << r.out;
    uint64_t bnd = std::stoull(r.out.substr(pos + 8, 16), nullptr, 16);
    EXPECT_EQ(bnd & (1ULL << 16), 0U);
    EXPECT_EQ(bnd & (1ULL << 21), 0U);
    EXPECT_NE(bnd & (1ULL << 0), 0U);  // chown stays
}

TEST_F(Execute, CapabilitiesKeep) {
    auto r = exec_sh(config("lxc.cap.keep = chown net_bind_service\nlxc.mount.auto = proc:mixed\n"),
                     "grep -E '^Cap(Bnd|Eff|Prm|Inh|Amb)' /proc/self/status");
    ASSERT_EQ(r.code, 0) << r.err;
    const uint64_t want = (1ULL << 0) | (1ULL << 10);
    for (const char* set : {"CapBnd:\t", "CapEff:\t", "CapPrm:\t"}) {
        auto pos = r.out.find(set);
        ASSERT_NE(pos, std::string::npos) << r.out;
        EXPECT_EQ(std::stoull(r.out.substr(pos + 8, 16), nullptr, 16), want) << set;
    }
}

TEST_F(Execute, SysrqTriggerReadOnlyUnderProcMixed) {
    // /proc/sysrq-trigger is never written, only its mount is inspected. The
    // hostname sysctl is safe to try: it belongs to the container's uts ns.
    auto r = exec_sh(
        config("lxc.mount.auto = proc:mixed sys:mixed\n"),
        "grep ' /proc/sysrq-trigger ' /proc/self/mountinfo | cut -d' ' -f6; "
        "(echo x > /proc/sys/kernel/hostname) 2>/dev/null && echo sys-writable || echo sys-ro; "
        "grep ' /sys ' /proc/self/mountinfo | cut -d' ' -f6 | cut -c1-3");
    ASSERT_EQ(r.code, 0) << r.err;
    if (fs::exists("/proc/sysrq-trigger")) {
        EXPECT_EQ(r.out.substr(0, 3), "ro,") << r.out;
    } else {
        // This host's kernel has no sysrq-trigger: nothing to mount over.
        EXPECT_EQ(r.out.substr(0, 6), "sys-ro") << r.out;
    }
    EXPECT_NE(r.out.find("sys-ro\nro,\n"), std::string::npos) << r.out;
}

// The README's bb.conf gets LXC's default device set, as under `kiste start`:
// a node root makes inside may not be opened unless the set allows it. The
// probe only opens /dev/kmsg (c 1 11) for writing and writes nothing.
TEST_F(Execute, DefaultDeviceSetDeniesUnlistedNodes) {
    const std::string bb =
        "lxc.mount.auto = proc:mixed sys:mixed\nlxc.cap.drop = sys_module sys_admin sys_time\n";
    const char* probe =
        "d=/tmp/probe.$$; mkdir $d && mknod $d/kmsg c 1 11 && mknod $d/null c 1 3 || exit 9; "
        "(: >> $d/kmsg) 2>&1 | grep -o 'Operation not permitted' || echo kmsg-opened; "
        "echo x > $d/null && echo null-ok; rm -r $d";
    auto r = exec_sh(config(bb), probe);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "Operation not permitted\nnull-ok\n") << r.err;

    // Rules of its own replace the default set: here every device is allowed.
    r = exec_sh(config(bb + "lxc.cgroup.devices.allow = a\n"), probe);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "kmsg-opened\nnull-ok\n") << r.err;
}

TEST_F(Execute, MountEntriesFstabAndCreate) {
    TempDir share;
    write_file(share / "hello", "from host\n");
    std::string fstab = work_ / "fstab";
    write_file(fstab, share.path() + " mnt/fromfstab none bind,create=dir 0 0\n");
    std::string conf =
        config("lxc.mount.fstab = " + fstab + "\n" + "lxc.mount.entry = " + share.path() +
               " opt/shared none bind,ro,create=dir 0 0\n" +
               "lxc.mount.entry = tmpfs /scratch tmpfs size=1m,create=dir 0 0\n" +
               "lxc.mount.entry = /nonexistent mnt/opt none bind,optional,create=dir 0 0\n" +
               "lxc.mount.auto = proc:mixed\n");
    auto r = exec_sh(conf,
                     "cat /mnt/fromfstab/hello /opt/shared/hello; touch /opt/shared/x 2>/dev/null "
                     "&& echo rw || echo ro; grep -c ' /scratch ' /proc/self/mountinfo");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "from host\nfrom host\nro\n1\n");
    fs::remove_all(rootfs() + "/opt");
    fs::remove_all(rootfs() + "/scratch");
    fs::remove_all(rootfs() + "/mnt/fromfstab");
    fs::remove_all(rootfs() + "/mnt/opt");
}

TEST_F(Execute, SymlinkInRootfsCannotRedirectMountToHost) {
    TempDir share;
    write_file(share / "marker", "x\n");
    // rootfs/mnt/evil -> /etc : the mount must land on rootfs/etc, not the host's /etc.
    fs::create_symlink("/etc", rootfs() + "/mnt/evil");
    auto r = exec_sh(config("lxc.mount.entry = " + share.path() + " mnt/evil none bind 0 0\n"),
                     "cat /etc/marker");
    fs::remove(rootfs() + "/mnt/evil");
    EXPECT_FALSE(fs::exists("/etc/marker"));
    EXPECT_TRUE(mounts_matching(" /etc ").empty());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "x\n");
}

TEST_F(Execute, UserNamespaceMapping) {
    auto r = exec_sh(config("lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"
                            "lxc.mount.auto = proc:mixed\n"),
                     "id -u; cat /proc/self/uid_map");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("0\n"), std::string::npos);
    EXPECT_NE(r.out.find("100000"), std::string::npos) << r.out;
}

TEST_F(Execute, ApplicationContainerWithoutRootfs) {
    // No rootfs: the host's files, but a private pid namespace with its own /proc.
    auto r = kiste({"execute", "-s", "lxc.uts.name=app", "--", "/bin/sh", "-c",
                    "hostname; echo $$; test -e /etc/os-release && echo host-fs"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "app\n2\nhost-fs\n");
}

TEST_F(Execute, ConcurrentRunsOfOneConfig) {
    std::string conf = config("lxc.uts.name = many\n");
    std::vector<std::thread> threads;
    std::vector<RunResult> results(20);
    for (int i = 0; i < 20; ++i)
        threads.emplace_back(
            [&, i] { results[static_cast<size_t>(i)] = exec_sh(conf, "hostname"); });
    for (auto& t : threads) t.join();
    for (const auto& r : results) {
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(r.out, "many\n");
    }
}

TEST_F(Execute, SameNameTwiceIsRefused) {
    std::string conf = config("");
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setenv("KISTE_RUN_DIR", run_dir_.path().c_str(), 1);
        ::execl(kiste_binary().c_str(), "kiste", "execute", "-n", "twice", "-f", conf.c_str(), "--",
                "/bin/sh", "-c", "sleep 1", nullptr);
        ::_exit(127);
    }
    // The first run holds the name for a second; give it a moment to start.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto r = kiste({"execute", "-n", "twice", "-f", conf, "--", "/bin/true"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("already running"), std::string::npos) << r.err;
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(Execute, BadConfigFailsWithFileLineAndLeavesNothing) {
    std::string conf = config("lxc.uts.name = ok\nlxc.utsnam = typo\n");
    auto r = kiste({"execute", "-f", conf, "--", "/bin/true"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find(conf + ":3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("lxc.uts.name"), std::string::npos) << r.err;  // the suggestion
}

TEST_F(Execute, ChildSetupErrorReachesParent) {
    auto r = exec_sh(config("lxc.mount.entry = /does/not/exist mnt none bind 0 0\n"), "true");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("/does/not/exist"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("No such file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kiste::test

namespace kiste::test {
namespace {

// Pids whose command line contains `needle`.
std::vector<pid_t> pids_with_cmdline(const std::string& needle) {
    std::vector<pid_t> out;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        std::string n = e.path().filename();
        if (n.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmd = read_file(e.path().string() + "/cmdline");
        for (auto& c : cmd)
            if (c == '\0') c = ' ';
        if (cmd.find(needle) != std::string::npos) out.push_back(std::stoi(n));
    }
    return out;
}

TEST_F(Execute, KillingKisteTakesTheContainerDown) {
    std::string conf = config("");
    const std::string marker = "31.4159";  // a unique sleep argument to find the payload
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setenv("KISTE_RUN_DIR", run_dir_.path().c_str(), 1);
        ::execl(kiste_binary().c_str(), "kiste", "execute", "-n", "victim", "-f", conf.c_str(),
                "--", "/bin/sleep", marker.c_str(), nullptr);
        ::_exit(127);
    }
    for (int i = 0; i < 200 && pids_with_cmdline("sleep " + marker).empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_FALSE(pids_with_cmdline("sleep " + marker).empty());
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    for (int i = 0; i < 100 && !pids_with_cmdline("sleep " + marker).empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(pids_with_cmdline("sleep " + marker).empty()) << "the payload outlived kiste";
    // The name is free again at once.
    auto r = kiste({"execute", "-n", "victim", "-f", conf, "--", "/bin/true"});
    EXPECT_EQ(r.code, 0) << r.err;
}

}  // namespace
}  // namespace kiste::test

namespace kiste::test {
namespace {

TEST_F(Execute, HostBinaryIsUnreachableThroughProc1Exe) {
    // PID 1 runs from a sealed image (a detached overlayfs mount without an
    // upper layer, or a sealed memfd): writing through /proc/1/exe must fail,
    // and the link must not name a host file.
    auto r = exec_sh(config("lxc.mount.auto = proc:mixed\n"),
                     "(echo x >> /proc/1/exe) 2>/dev/null && echo writable || echo refused; "
                     "readlink /proc/1/exe");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, 8), "refused\n") << r.out;
    const std::string link = r.out.substr(std::min<size_t>(8, r.out.size()));
    EXPECT_TRUE(link == "/kiste-init\n" || link.starts_with("/memfd:kiste-init")) << link;
}

}  // namespace
}  // namespace kiste::test
