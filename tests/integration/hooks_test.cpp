// LXC's hooks against the real kernel (root): each type runs at its moment,
// in the namespaces LXC runs it in, with LXC's arguments and environment,
// under `kiste start` and `kiste execute`; a failing or hanging hook fails
// the start and leaves nothing behind. The hooks are one recording script
// that writes what it sees to a file per type.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "cgroup/host.hpp"
#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// What a hook saw: "key=value" lines of its file.
using Seen = std::map<std::string, std::string>;

Seen parse_seen(const std::string& text) {
    Seen out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

std::string self_ns(const char* ns) {
    return fs::read_symlink(std::string("/proc/self/ns/") + ns).string();
}

// The recording hook (host side). Type: $3 (version 0) or LXC_HOOK_TYPE (1).
constexpr const char* kRecorder = R"SH(#!/bin/sh
t=${LXC_HOOK_TYPE:-$3}
echo "$t" >> "$HOOKS_OUT/order"
{
    echo "args=$*"
    env | grep '^LXC_' | sort
    echo "mntns=$(readlink /proc/self/ns/mnt)"
    if grep -q " $LXC_ROOTFS_MOUNT " /proc/self/mountinfo; then echo rootfs=mounted; else echo rootfs=unmounted; fi
    if [ -e "$LXC_ROOTFS_MOUNT/proc/self/stat" ]; then echo proc=mounted; else echo proc=unmounted; fi
    if [ -c "$LXC_ROOTFS_MOUNT/dev/null" ]; then echo dev=populated; else echo dev=empty; fi
    for a in "$@"; do
        case "$a" in *:/proc/*) echo "ns_${a%%:*}=$(readlink "${a#*:}")" ;; esac
    done
    [ -n "$LXC_MNT_NS" ] && echo "ns_mnt=$(readlink "$LXC_MNT_NS")"
    true
} > "$HOOKS_OUT/$t"
)SH";

// The start hook, inside the container (busybox sh): it writes into the container.
constexpr const char* kStartHook = R"SH(#!/bin/sh
{
    echo "args=$*"
    echo "ppid=$PPID"
    echo "mntns=$(readlink /proc/self/ns/mnt)"
    echo "name=$LXC_NAME"
    echo "hostfile=$([ -e /start-hook.sh ] && echo yes)"
} > /start-hook.out
)SH";

class Hooks : public ::testing::Test {
protected:
    void SetUp() override {
        KISTE_REQUIRE_ROOT();
        id_ = std::to_string(::getpid() % 100000);
        out_ = work_ / "out";
        fs::create_directories(out_);
        recorder_ = work_ / "record.sh";
        write_file(recorder_, kRecorder);
        ::chmod(recorder_.c_str(), 0755);
    }
    void TearDown() override {
        if (::geteuid() != 0) return;
        for (const auto& n : created_) kiste({"stop", "-k", n});
        for (const auto& e : fs::recursive_directory_iterator(run_dir_.path()))
            ADD_FAILURE() << "left in the run dir: " << e.path();
        EXPECT_TRUE(mounts_matching(lxcpath_.path()).empty());
        EXPECT_TRUE(mounts_matching(work_.path()).empty());
    }

    std::vector<std::string> env() const {
        return {"KISTE_RUN_DIR=" + run_dir_.path(), "HOOKS_OUT=" + out_};
    }
    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, env());
    }
    RunResult execute(const std::string& name, const std::string& cmd) {
        return run({kiste_binary(), "execute", "-n", name, "-f", dir(name) + "/config", "--", cmd},
                   {}, env());
    }
    std::string dir(const std::string& name) const { return lxcpath_.path() + "/" + name; }
    std::string rootfs(const std::string& name) const { return dir(name) + "/rootfs"; }

    // A busybox system container with `extra` config lines.
    std::string make_container(const std::string& suffix, const std::string& extra) {
        const std::string name = "i10hooks-" + suffix + id_;
        fs::create_directories(dir(name));
        write_file(dir(name) + "/config", extra);
        auto r = run({std::string(KISTE_SOURCE_DIR) + "/templates/busybox", "--path", dir(name),
                      "--name", name, "--rootfs", rootfs(name), "--ttys", "0"});
        EXPECT_EQ(r.code, 0) << r.err;
        created_.push_back(name);
        write_file(rootfs(name) + "/start-hook.sh", kStartHook);
        ::chmod((rootfs(name) + "/start-hook.sh").c_str(), 0755);
        return name;
    }
    std::string all_hooks() const {
        std::string text;
        for (const char* t : {"pre-start", "pre-mount", "mount", "autodev", "start-host", "stop",
                              "post-stop", "destroy"})
            text += fmt_line(t, recorder_);
        text += "lxc.hook.start = /start-hook.sh\n";
        return text;
    }
    static std::string fmt_line(const char* type, const std::string& cmd) {
        return std::string("lxc.hook.") + type + " = " + cmd + "\n";
    }
    Seen seen(const std::string& type) const { return parse_seen(read_file(out_ + "/" + type)); }
    bool ran(const std::string& type) const { return fs::exists(out_ + "/" + type); }

    std::string state_of(const std::string& name) {
        auto r = kiste({"info", "-s", name});
        return r.out.empty() ? r.err : r.out.substr(0, r.out.size() - 1);
    }
    bool wait_for_state(const std::string& name, const std::string& want) {
        for (int i = 0; i < 100; ++i) {
            if (state_of(name) == want) return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }
    // The container's cgroups in any hierarchy (kiste runs in this test's cgroups).
    std::vector<std::string> cgroups_of(const std::string& name) {
        std::vector<std::string> out;
        auto host = cgroup::discover_host();
        if (!host) return out;
        for (const auto& h : host->hierarchies)
            for (const char* parent : {"kiste.monitor", "kiste.payload"})
                if (fs::exists(h.base + "/" + parent + "/" + name))
                    out.push_back(h.base + "/" + parent + "/" + name);
        return out;
    }

    TempDir lxcpath_;
    TempDir run_dir_;
    TempDir work_;
    std::string id_, out_, recorder_;
    std::vector<std::string> created_;
};

TEST_F(Hooks, StartRunsEachTypeAtItsMoment) {
    const std::string name = make_container("s", all_hooks());
    const std::string host_mnt = self_ns("mnt");
    auto r = kiste({"start", name});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_TRUE(wait_for_state(name, "RUNNING"));

    const std::string config = dir(name) + "/config";
    const Seen pre_start = seen("pre-start");
    EXPECT_EQ(pre_start.at("args"), name + " lxc pre-start");
    EXPECT_EQ(pre_start.at("LXC_NAME"), name);
    EXPECT_EQ(pre_start.at("LXC_CONFIG_FILE"), config);
    EXPECT_EQ(pre_start.at("LXC_ROOTFS_MOUNT"), rootfs(name));
    EXPECT_TRUE(pre_start.at("LXC_ROOTFS_PATH").ends_with(rootfs(name)));
    EXPECT_EQ(pre_start.at("LXC_HOOK_VERSION"), "0");
    EXPECT_EQ(pre_start.at("LXC_LOG_LEVEL"), "ERROR");
    EXPECT_EQ(pre_start.at("LXC_CGNS_AWARE"), "1");
    EXPECT_FALSE(pre_start.contains("LXC_HOOK_TYPE"));  // version 1 only
    EXPECT_FALSE(pre_start.contains("LXC_PID"));
    EXPECT_EQ(pre_start.at("mntns"), host_mnt);
    EXPECT_EQ(pre_start.at("rootfs"), "unmounted");

    const Seen pre_mount = seen("pre-mount");
    EXPECT_EQ(pre_mount.at("args"), name + " lxc pre-mount");
    const std::string container_mnt = pre_mount.at("mntns");
    EXPECT_NE(container_mnt, host_mnt);
    EXPECT_EQ(pre_mount.at("rootfs"), "unmounted");

    const Seen mount = seen("mount");
    EXPECT_EQ(mount.at("mntns"), container_mnt);
    EXPECT_EQ(mount.at("rootfs"), "mounted");
    EXPECT_EQ(mount.at("proc"), "mounted");
    EXPECT_FALSE(mount.contains("LXC_PID"));

    const Seen autodev = seen("autodev");
    EXPECT_EQ(autodev.at("args"), name + " lxc autodev");
    EXPECT_EQ(autodev.at("mntns"), container_mnt);
    EXPECT_EQ(autodev.at("rootfs"), "mounted");
    EXPECT_EQ(autodev.at("dev"), "populated");

    const Seen start_host = seen("start-host");
    EXPECT_EQ(start_host.at("mntns"), host_mnt);
    ASSERT_TRUE(start_host.contains("LXC_PID"));
    EXPECT_NE(start_host.at("LXC_PID"), "0");

    // Inside the container: its own files, the launcher (its PID 1 to be) as parent.
    const Seen start = parse_seen(read_file(rootfs(name) + "/start-hook.out"));
    EXPECT_EQ(start.at("args"), name + " lxc start");
    EXPECT_EQ(start.at("ppid"), "1");
    EXPECT_EQ(start.at("mntns"), container_mnt);
    EXPECT_EQ(start.at("name"), name);
    EXPECT_EQ(start.at("hostfile"), "yes");
    EXPECT_FALSE(ran("stop"));

    r = kiste({"stop", "-k", name});
    ASSERT_EQ(r.code, 0) << r.err;
    const Seen stop = seen("stop");
    EXPECT_EQ(stop.at("mntns"), host_mnt);
    EXPECT_EQ(stop.at("LXC_TARGET"), "stop");
    EXPECT_EQ(stop.at("LXC_PID"), start_host.at("LXC_PID"));
    EXPECT_TRUE(stop.at("args").starts_with(name + " lxc stop ")) << stop.at("args");
    // The container's mount namespace, reached through kiste's fd after its init died.
    EXPECT_EQ(stop.at("ns_mnt"), container_mnt);
    EXPECT_TRUE(stop.contains("ns_pid"));
    const Seen post_stop = seen("post-stop");
    EXPECT_EQ(post_stop.at("args"), name + " lxc post-stop");
    EXPECT_EQ(post_stop.at("LXC_TARGET"), "stop");
    EXPECT_EQ(post_stop.at("mntns"), host_mnt);
    EXPECT_TRUE(cgroups_of(name).empty());  // post-stop comes after the cleanup

    EXPECT_FALSE(ran("destroy"));
    r = kiste({"destroy", name});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(seen("destroy").at("args"), name + " lxc destroy");
    EXPECT_EQ(seen("destroy").at("LXC_ROOTFS_MOUNT"), rootfs(name));
    EXPECT_EQ(read_file(out_ + "/order"),
              "pre-start\npre-mount\nmount\nautodev\nstart-host\nstop\npost-stop\ndestroy\n");
}

TEST_F(Hooks, ExecuteRunsThemWithVersion1) {
    const std::string name = make_container("e", all_hooks() + "lxc.hook.version = 1\n");
    const std::string host_mnt = self_ns("mnt");
    auto r = execute(name, "/bin/true");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(read_file(out_ + "/order"),
              "pre-start\npre-mount\nmount\nautodev\nstart-host\nstop\npost-stop\n");
    for (const char* t :
         {"pre-start", "pre-mount", "mount", "autodev", "start-host", "stop", "post-stop"}) {
        const Seen s = seen(t);
        EXPECT_EQ(s.at("LXC_HOOK_TYPE"), t);
        EXPECT_EQ(s.at("LXC_HOOK_SECTION"), "lxc");
        EXPECT_EQ(s.at("LXC_HOOK_VERSION"), "1");
        EXPECT_EQ(s.at("LXC_NAME"), name);
        EXPECT_EQ(s.at("args"), "") << t;
    }
    EXPECT_EQ(seen("pre-start").at("mntns"), host_mnt);
    const std::string container_mnt = seen("mount").at("mntns");
    EXPECT_NE(container_mnt, host_mnt);
    EXPECT_EQ(seen("mount").at("rootfs"), "mounted");
    const Seen stop = seen("stop");
    EXPECT_EQ(stop.at("ns_mnt"), container_mnt);  // LXC_MNT_NS
    EXPECT_TRUE(stop.contains("LXC_PID_NS"));
    const Seen start = parse_seen(read_file(rootfs(name) + "/start-hook.out"));
    EXPECT_EQ(start.at("args"), "");
    EXPECT_EQ(start.at("mntns"), container_mnt);
}

TEST_F(Hooks, FailingPreStartFailsTheStartAndLeavesNothing) {
    const std::string fails = work_ / "fails.sh";
    write_file(fails, "#!/bin/sh\necho pre-start says no >&2\nexit 7\n");
    ::chmod(fails.c_str(), 0755);
    const std::string name =
        make_container("f", fmt_line("pre-start", fails) + fmt_line("mount", recorder_));
    auto r = kiste({"start", name});
    EXPECT_NE(r.code, 0);
    const std::string config = dir(name) + "/config";
    EXPECT_NE(r.err.find("hook " + fails + " (lxc.hook.pre-start, " + config +
                         ":1) exited with status 7"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(ran("mount"));
    EXPECT_EQ(state_of(name), "STOPPED");
    EXPECT_TRUE(cgroups_of(name).empty());

    r = execute(name, "/bin/true");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("exited with status 7"), std::string::npos) << r.err;
    EXPECT_FALSE(ran("mount"));
    EXPECT_TRUE(cgroups_of(name).empty());
}

// Whether a live process runs "sleep SECONDS".
bool sleep_runs(const std::string& seconds) {
    const std::string want = std::string("sleep") + '\0' + seconds + '\0';
    for (const auto& e : fs::directory_iterator("/proc")) {
        const std::string cmdline = read_file(e.path().string() + "/cmdline");
        if (cmdline == want) return true;
    }
    return false;
}

TEST_F(Hooks, HangingHookIsKilledAfterItsTimeout) {
    const std::string hangs = work_ / "hangs.sh";
    // A sleep no other process runs: its argument is this test's.
    const std::string seconds = "3" + id_;
    write_file(hangs, "#!/bin/sh\nsleep " + seconds + "\necho woke\n");
    ::chmod(hangs.c_str(), 0755);
    // A hook of the child (in the container's mount namespace), and one of the parent.
    for (const char* type : {"mount", "start-host"}) {
        const std::string name = make_container(std::string(type) == "mount" ? "hm" : "hh",
                                                "kiste.hook.timeout = 1\n" + fmt_line(type, hangs));
        const auto t0 = std::chrono::steady_clock::now();
        auto r = kiste({"start", name});
        const auto took = std::chrono::steady_clock::now() - t0;
        EXPECT_NE(r.code, 0);
        EXPECT_NE(r.err.find("hook " + hangs + " (lxc.hook." + type), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("did not finish within 1 s; killed"), std::string::npos) << r.err;
        EXPECT_LT(took, 15s);
        EXPECT_EQ(state_of(name), "STOPPED");
        EXPECT_TRUE(cgroups_of(name).empty());
        EXPECT_FALSE(sleep_runs(seconds)) << "the hook's sleep still runs";
    }
}

// ---- lxcfs: LXC's stock mount hook with Debian's lxcfs

constexpr const char* kLxcfsDir = "/var/lib/lxcfs";
constexpr const char* kLxcfsHookConf = "/usr/share/lxc/config/common.conf.d/00-lxcfs.conf";

bool lxcfs_mounted() {
    std::istringstream in(read_file("/proc/self/mountinfo"));
    for (std::string line; std::getline(in, line);)
        if (line.find(std::string(" ") + kLxcfsDir + " ") != std::string::npos &&
            line.find("lxcfs") != std::string::npos)
            return true;
    return false;
}

// An lxcfs for the test: the one that runs, or one started here (and then
// stopped and unmounted at the end).
class LxcfsForTest {
public:
    // Empty: it runs. Otherwise why it cannot.
    std::string start() {
        if (lxcfs_mounted()) return {};
        fs::create_directories(kLxcfsDir);
        pid_ = ::fork();
        if (pid_ < 0) return "fork failed";
        if (pid_ == 0) {
            // Its output would mix with the test's.
            const int null = ::open("/dev/null", O_WRONLY);
            if (null >= 0) {
                ::dup2(null, STDOUT_FILENO);
                ::dup2(null, STDERR_FILENO);
            }
            ::execl("/usr/bin/lxcfs", "lxcfs", kLxcfsDir, nullptr);
            ::_exit(127);
        }
        for (int i = 0; i < 100; ++i) {
            if (fs::exists(std::string(kLxcfsDir) + "/proc/meminfo")) return {};
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return "lxcfs exited at once (no FUSE here?)";
            }
            std::this_thread::sleep_for(50ms);
        }
        return "lxcfs did not mount " + std::string(kLxcfsDir);
    }
    ~LxcfsForTest() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
        if (lxcfs_mounted()) ::umount2(kLxcfsDir, MNT_DETACH);
    }

private:
    pid_t pid_ = -1;
};

// MemTotal as busybox free shows it (KiB, the "Mem:" line's first number).
long free_total_kib(const std::string& out) {
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        if (!line.starts_with("Mem:")) continue;
        std::istringstream fields(line.substr(4));
        long total = -1;
        fields >> total;
        return total;
    }
    return -1;
}

TEST_F(Hooks, LxcfsMountHookShowsTheMemoryLimit) {
    if (!fs::exists("/usr/bin/lxcfs") || !fs::exists("/usr/share/lxcfs/lxc.mount.hook") ||
        !fs::exists(kLxcfsHookConf))
        GTEST_SKIP() << "Debian's lxcfs is not installed (scripts/install-deps installs it)";
    if (!fs::exists("/dev/fuse")) GTEST_SKIP() << "no /dev/fuse on this host";
    LxcfsForTest lxcfs;
    if (auto why = lxcfs.start(); !why.empty()) GTEST_SKIP() << why;
    // The limit in the host's cgroup version, as LXC's configs carry both;
    // the hooks as LXC's stock config has them (common.conf includes that
    // file, and mounts cgroup:mixed proc:mixed sys:mixed).
    const std::string config = std::string(fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes")
                                               ? "lxc.cgroup.memory.limit_in_bytes = 256M\n"
                                               : "lxc.cgroup2.memory.max = 256M\n") +
                               "lxc.include = " + kLxcfsHookConf +
                               "\nlxc.mount.auto = cgroup:mixed proc:mixed sys:mixed\n";

    // procps's free reads all of /proc/meminfo: an application container on
    // the host's files runs the host's.
    if (fs::exists("/usr/bin/free")) {
        const std::string app = work_ / "app.conf";
        write_file(app, config);
        auto r = run(
            {kiste_binary(), "execute", "-n", "i10hooks-a" + id_, "-f", app, "--", "/usr/bin/free"},
            {}, env());
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(free_total_kib(r.out), 256L * 1024) << r.out;
    }

    // A busybox system container: busybox free takes its total from
    // sysinfo(2), which lxcfs cannot change, and only "available" from
    // /proc/meminfo; /proc/meminfo itself shows the limit.
    const std::string name = make_container("x", config);
    auto r = kiste({"start", name});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_TRUE(wait_for_state(name, "RUNNING"));
    r = kiste({"attach", name, "--", "grep", "MemTotal", "/proc/meminfo"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find(" 262144 kB"), std::string::npos) << r.out;
    r = kiste({"attach", name, "--", "free"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("Mem:"), std::string::npos) << r.out;
    {
        std::istringstream in(r.out.substr(r.out.find("Mem:") + 4));
        long total = 0, used = 0, free = 0, shared = 0, cache = 0, available = -1;
        in >> total >> used >> free >> shared >> cache >> available;
        EXPECT_GE(available, 0) << r.out;
        EXPECT_LE(available, 256L * 1024) << r.out;
    }
    r = kiste({"stop", "-k", name});
    EXPECT_EQ(r.code, 0) << r.err;
    // The host's own view is untouched.
    EXPECT_GT(free_total_kib(run({"/bin/busybox", "free"}).out), 256L * 1024);
}

}  // namespace
}  // namespace kiste::test
