// `kiste execute` with lxc.tty.max (root): the ttys are pty slaves at
// /dev/tty1..N inside, reachable with `kiste console NAME -t N` while the
// container runs, and nothing of them is left after the run, nor after a
// kill -9 of kiste once the next execute ran. And the talk's own example
// config runs.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <thread>

#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ExecuteTtys : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (::geteuid() != 0) return;
        rootfs_dir_ = std::make_unique<TempDir>();
        // The tree of the busybox template, as the talk's config would use.
        auto r = run({std::string(KISTE_SOURCE_DIR) + "/templates/busybox", "--rootfs", rootfs(),
                      "--name", "zeig"});
        ASSERT_EQ(r.code, 0) << r.err;
    }
    static void TearDownTestSuite() { rootfs_dir_.reset(); }

    void SetUp() override { KISTE_REQUIRE_ROOT(); }
    void TearDown() override {
        if (::geteuid() != 0) return;
        for (pid_t p : children_) {
            ::kill(p, SIGKILL);
            ::waitpid(p, nullptr, 0);
        }
        for (const auto& f : done_files_) ::unlink(f.c_str());
        for (const auto& e : fs::recursive_directory_iterator(run_dir_.path()))
            ADD_FAILURE() << "left in the run dir: " << e.path();
        EXPECT_TRUE(mounts_matching(rootfs()).empty()) << "mounts left on the host";
    }

    static std::string rootfs() { return rootfs_dir_->path() + "/rootfs"; }

    std::string config(const std::string& extra) {
        std::string path = work_ / ("c" + std::to_string(n_configs_++) + ".conf");
        write_file(path, "lxc.rootfs.path = dir:" + rootfs() + "\n" + extra);
        return path;
    }

    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }

    // A file the test creates to end a container's wait (through the rootfs).
    std::string done_file(const std::string& name) {
        done_files_.push_back(rootfs() + "/tmp/" + name + ".done");
        return done_files_.back();
    }
    static std::string wait_for(const std::string& name) {
        return fmt::format("while [ ! -e /tmp/{}.done ]; do sleep 0.05; done", name);
    }

    // `kiste execute -n NAME -f CONF -- /bin/sh -c SCRIPT` in the background,
    // its stdout and stderr in files of the work dir.
    pid_t start_execute(const std::string& name, const std::string& conf,
                        const std::string& script) {
        const std::string out = work_ / (name + ".out"), err = work_ / (name + ".err");
        pid_t pid = ::fork();
        if (pid == 0) {
            ::setenv("KISTE_RUN_DIR", run_dir_.path().c_str(), 1);
            int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            int n = ::open("/dev/null", O_RDONLY);
            ::dup2(n, 0);
            ::dup2(o, 1);
            ::dup2(e, 2);
            ::execl(kiste_binary().c_str(), "kiste", "execute", "-n", name.c_str(), "-f",
                    conf.c_str(), "--", "/bin/sh", "-c", script.c_str(), nullptr);
            ::_exit(127);
        }
        children_.push_back(pid);
        return pid;
    }
    // Its exit code (-1: still running after `limit`).
    int reap(pid_t pid, std::chrono::milliseconds limit) {
        int status = 0;
        const auto end = std::chrono::steady_clock::now() + limit;
        while (::waitpid(pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() >= end) return -1;
            std::this_thread::sleep_for(10ms);
        }
        std::erase(children_, pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::string socket_of(const std::string& name) { return run_dir_ / (name + "/monitor.sock"); }
    static bool appears(const std::string& path, std::chrono::milliseconds limit) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!fs::exists(path) && std::chrono::steady_clock::now() < end)
            std::this_thread::sleep_for(10ms);
        return fs::exists(path);
    }

    TempDir run_dir_;
    TempDir work_;
    int n_configs_ = 0;
    std::vector<pid_t> children_;
    std::vector<std::string> done_files_;
    static std::unique_ptr<TempDir> rootfs_dir_;
};
std::unique_ptr<TempDir> ExecuteTtys::rootfs_dir_;

// A `kiste console` on a pty of the test's, and what it has printed so far.
class ConsoleClient {
public:
    ConsoleClient(const std::string& run_dir, const std::string& name, int tty) {
        pid_ = ::forkpty(&master_, nullptr, nullptr, nullptr);
        if (pid_ == 0) {
            ::setenv("KISTE_RUN_DIR", run_dir.c_str(), 1);
            const std::string t = std::to_string(tty);
            ::execl(kiste_binary().c_str(), "kiste", "console", name.c_str(), "-t", t.c_str(),
                    nullptr);
            ::_exit(127);
        }
    }
    ~ConsoleClient() {
        if (pid_ > 0 && !exited_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (master_ >= 0) ::close(master_);
    }
    ConsoleClient(const ConsoleClient&) = delete;
    ConsoleClient& operator=(const ConsoleClient&) = delete;

    bool read_until(const std::string& want, std::chrono::milliseconds limit) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (seen_.find(want) == std::string::npos && std::chrono::steady_clock::now() < end) {
            pollfd p{master_, POLLIN, 0};
            if (::poll(&p, 1, 50) > 0) {
                char buf[1024];
                ssize_t n = ::read(master_, buf, sizeof buf);
                if (n > 0) seen_.append(buf, static_cast<size_t>(n));
            }
        }
        return seen_.find(want) != std::string::npos;
    }
    void type(const std::string& keys) { (void)!::write(master_, keys.data(), keys.size()); }
    // Whether it exited by itself within `limit`.
    bool exits(std::chrono::milliseconds limit) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return exited_ = true;
            read_until("\x01\x02(drain)", 20ms);
        }
        return false;
    }
    [[nodiscard]] const std::string& seen() const { return seen_; }

private:
    pid_t pid_ = -1;
    int master_ = -1;
    bool exited_ = false;
    std::string seen_;
};

TEST_F(ExecuteTtys, TtysArePtySlavesReachableWithKisteConsole) {
    const std::string conf = config(
        "lxc.uts.name = zeig\nlxc.tty.max = 2\nlxc.pty.max = 1024\n"
        "lxc.mount.auto = proc:mixed\n");
    const std::string done = done_file("ttyrun");
    // Both ttys are pty slaves (major 136, 0x88); a shell serves tty1 as
    // its controlling terminal, in a session of its own.
    const pid_t pid = start_execute("ttyrun", conf,
                                    "stat -c %t /dev/tty1 /dev/tty2; "
                                    "setsid sh -c 'exec sh -i </dev/tty1 >/dev/tty1 2>&1' & " +
                                        wait_for("ttyrun") + "; echo finished");
    ASSERT_TRUE(appears(socket_of("ttyrun"), 5s))
        << read_file(work_ / "ttyrun.err") << "exit " << reap(pid, 0ms);

    {
        ConsoleClient con(run_dir_.path(), "ttyrun", 1);
        ASSERT_TRUE(con.read_until("Connected to tty 1", 5s)) << con.seen();
        con.type("\r");
        ASSERT_TRUE(con.read_until("#", 5s)) << con.seen();
        con.type("echo con$((6*7))sole on $(tty)\r");
        EXPECT_TRUE(con.read_until("con42sole on /dev/tty1", 5s)) << con.seen();

        // The console is kiste's own terminal; there are two ttys.
        auto r = kiste({"console", "ttyrun", "-t", "0"});
        EXPECT_NE(r.code, 0);
        EXPECT_NE(r.err.find("its own terminal"), std::string::npos) << r.err;
        r = kiste({"console", "ttyrun", "-t", "3"});
        EXPECT_NE(r.code, 0);
        EXPECT_NE(r.err.find("no tty 3 (lxc.tty.max = 2)"), std::string::npos) << r.err;

        // The container ends: the console client is told and exits.
        write_file(done, "");
        EXPECT_EQ(reap(pid, 10s), 0) << read_file(work_ / "ttyrun.err");
        EXPECT_TRUE(con.exits(5s)) << con.seen();
    }
    EXPECT_EQ(read_file(work_ / "ttyrun.out"), "88\n88\nfinished\n");
    auto r = kiste({"console", "ttyrun", "-t", "1"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("not running"), std::string::npos) << r.err;
}

TEST_F(ExecuteTtys, WithoutTtysConsoleSaysSo) {
    const std::string done = done_file("nottys");
    const pid_t pid = start_execute("nottys", config(""), wait_for("nottys"));
    auto r = kiste({"console", "nottys", "-t", "1"});
    for (int i = 0; i < 100 && r.err.find("serves no ttys") == std::string::npos; ++i) {
        std::this_thread::sleep_for(20ms);  // until its name is taken
        r = kiste({"console", "nottys", "-t", "1"});
    }
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("serves no ttys"), std::string::npos) << r.err;
    write_file(done, "");
    EXPECT_EQ(reap(pid, 10s), 0) << read_file(work_ / "nottys.err");
}

TEST_F(ExecuteTtys, WhatAKilledRunLeftTheNextExecuteRemoves) {
    // The next execute of another name, then of the same name (without ttys).
    for (const std::string cleaner : {"cleaner", "killed"}) {
        const std::string conf = config("lxc.tty.max = 1\n");
        const pid_t pid = start_execute("killed", conf, wait_for("killed-never"));
        ASSERT_TRUE(appears(socket_of("killed"), 5s)) << read_file(work_ / "killed.err");
        ::kill(pid, SIGKILL);
        EXPECT_EQ(reap(pid, 5s), 128 + SIGKILL);
        // Left: its run directory with the socket and its record. Its ptys
        // went with its fds, the container with it (PDEATHSIG).
        EXPECT_TRUE(fs::exists(socket_of("killed")));
        EXPECT_TRUE(fs::exists(run_dir_ / "killed/state.json"));
        auto r = kiste({"console", "killed", "-t", "1"});
        EXPECT_NE(r.code, 0);
        EXPECT_NE(r.err.find("not running"), std::string::npos) << r.err;

        r = kiste({"execute", "-n", cleaner, "-f", config(""), "--", "/bin/true"});
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_FALSE(fs::exists(run_dir_ / "killed")) << cleaner;
        EXPECT_FALSE(fs::exists(run_dir_ / "killed.ttys")) << cleaner;
        EXPECT_FALSE(fs::exists(run_dir_ / "killed/state.json")) << cleaner;
    }
}

// The talk's example (2012, legacy keys) with a busybox rootfs, its veth on
// a bridge of the test's own (its device list: talk_config_test.cpp).
TEST_F(ExecuteTtys, TheTalksConfigRuns) {
    const std::string br = "ktb" + std::to_string(::getpid() % 1000000);
    ASSERT_EQ(run({"/bin/sh", "-c", "ip link add " + br + " type bridge"}).code, 0);
    const std::string conf = work_ / "talk.conf";
    write_file(conf, fmt::format("lxc.utsname = zeig\n"
                                 "lxc.tty = 4\n"
                                 "lxc.pts = 1024\n"
                                 "lxc.rootfs = {}\n"
                                 "lxc.network.type = veth\n"
                                 "lxc.network.flags = up\n"
                                 "lxc.network.link = {}\n"
                                 "lxc.network.hwaddr = 08:00:12:34:56:78\n"
                                 "lxc.network.ipv4 = 192.168.1.69/24\n"
                                 "lxc.network.name = eth0\n",
                                 rootfs(), br));
    auto r = kiste({"execute", "-n", "zeig", "-f", conf, "--", "/bin/sh", "-c",
                    "hostname; ls /dev/tty1 /dev/tty4; ip -4 addr show eth0 | grep -o "
                    "'192.168.1.69/24'; ip link show eth0 | grep -o 'link/ether [0-9a-f:]*'"});
    run({"/bin/sh", "-c", "ip link del " + br});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "zeig\n/dev/tty1\n/dev/tty4\n192.168.1.69/24\nlink/ether 08:00:12:34:56:78\n")
        << r.err;
}

}  // namespace
}  // namespace kiste::test
