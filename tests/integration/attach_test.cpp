// kiste attach and kiste ps against a real running busybox container (root).
//
// The container is started once for the suite with `kiste start`. Where
// start cannot run it yet, a stand-in takes its place: `kiste execute` of
// `sleep` in the busybox rootfs, plus a state.json written through
// state::write_state (init pid, start time, a cgroup of its own), so attach
// and ps are tested against the same state contract either way.
#include <fcntl.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "state/container_state.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string first_line(const std::string& s) {
    return s.substr(0, s.find('\n'));
}

std::string status_line(pid_t pid, const std::string& key) {
    std::istringstream ss(read_file("/proc/" + std::to_string(pid) + "/status"));
    std::string line;
    while (std::getline(ss, line))
        if (line.starts_with(key + ":")) return line;
    return {};
}

pid_t first_child(pid_t pid) {
    std::istringstream ss(read_file(fmt::format("/proc/{}/task/{}/children", pid, pid)));
    pid_t child = 0;
    ss >> child;
    return child;
}

// A process with its stdout on a pipe, for tests that signal kiste while it runs.
struct Spawned {
    pid_t pid = -1;
    int out = -1;
    // Reads stdout until `want` shows up (or 10 s pass).
    std::string read_until(const std::string& want) {
        std::string acc;
        const auto end = Clock::now() + 10s;
        while (Clock::now() < end && acc.find(want) == std::string::npos) {
            pollfd p{out, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            char buf[256];
            ssize_t n = ::read(out, buf, sizeof buf);
            if (n <= 0) break;
            acc.append(buf, static_cast<size_t>(n));
        }
        return acc;
    }
    int wait() {
        int st = 0;
        const auto end = Clock::now() + 20s;
        while (::waitpid(pid, &st, WNOHANG) == 0) {
            if (Clock::now() > end) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, &st, 0);
                break;
            }
            std::this_thread::sleep_for(10ms);
        }
        ::close(out);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
};

// in_child runs in the forked child just before the exec.
Spawned spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
              const std::function<void()>& in_child = {}) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return {};
    pid_t pid = ::fork();
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, 0);
        ::dup2(p[1], 1);
        for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
        if (in_child) in_child();
        std::vector<char*> c;
        for (const auto& a : argv) c.push_back(const_cast<char*>(a.c_str()));
        c.push_back(nullptr);
        ::execv(c[0], c.data());
        ::_exit(127);
    }
    ::close(p[1]);
    return {pid, p[0]};
}

// The running container of a suite. kUserns: an unprivileged one (a user
// namespace mapping 0 -> 100000), always the stand-in.
template <bool kUserns>
class AttachBase : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (::geteuid() != 0) return;
        lxcpath_ = std::make_unique<TempDir>();
        run_dir_ = std::make_unique<TempDir>();
        name_ = fmt::format("{}{}", kUserns ? "attu" : "att", ::getpid());
        // The test process computes paths and writes state with the library.
        if (const char* old = std::getenv("KISTE_RUN_DIR")) saved_run_dir_ = old;
        ::setenv("KISTE_RUN_DIR", run_dir_->path().c_str(), 1);

        const std::string dir = lxcpath_->path() + "/" + name_;
        fs::create_directories(dir);
        // A dropped capability makes the bounding-set check meaningful.
        write_file(dir + "/config",
                   kUserns ? "lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"
                           : "lxc.cap.drop = sys_module sys_time\n");
        std::vector<std::string> tmpl = {std::string(KISTE_SOURCE_DIR) + "/templates/busybox",
                                         "--path",
                                         dir,
                                         "--name",
                                         name_,
                                         "--rootfs",
                                         dir + "/rootfs",
                                         "--ttys",
                                         "1"};
        if (kUserns) tmpl.insert(tmpl.end(), {"--mapped-uid", "100000", "--mapped-gid", "100000"});
        auto r = run(tmpl);
        if (r.code != 0) {
            setup_error_ = "busybox template failed: " + r.err;
            return;
        }
        // KISTE_ATTACH_TEST_STAND_IN=1 tests against the stand-in even where start works.
        const bool stand_in_only = std::getenv("KISTE_ATTACH_TEST_STAND_IN") != nullptr;
        if (!kUserns && !stand_in_only && kiste({"start", name_}).code == 0 &&
            paths().init_alive()) {
            mode_ = "kiste start";
        } else {
            if (!kUserns) kiste({"stop", "-k", name_});
            start_stand_in(dir);
        }
        if (setup_error_.empty() && !paths().init_alive()) setup_error_ = "no running container";
        if (setup_error_.empty()) {
            auto st = state::read_state(paths().p);
            init_pid_ = (*st)->init_pid;
        }
    }

    static void TearDownTestSuite() {
        if (::geteuid() != 0 || !lxcpath_) return;
        if (mode_ == "kiste start") {
            kiste({"stop", "-k", name_});
        } else if (standin_pid_ > 0) {
            // kiste execute forwards SIGTERM; kiste-init then ends its command.
            ::kill(standin_pid_, SIGTERM);
            int st = 0;
            const auto end = Clock::now() + 5s;
            while (::waitpid(standin_pid_, &st, WNOHANG) == 0) {
                if (Clock::now() > end) {
                    ::kill(standin_pid_, SIGKILL);
                    ::waitpid(standin_pid_, &st, 0);
                    break;
                }
                std::this_thread::sleep_for(10ms);
            }
            std::error_code ec;
            fs::remove_all(paths().p.run_dir(), ec);
            fs::remove(paths().p.run_root(), ec);
        }
        if (!test_cgroup_.empty()) {
            for (int i = 0; i < 200 && ::rmdir(test_cgroup_.c_str()) < 0 && errno == EBUSY; ++i)
                std::this_thread::sleep_for(10ms);
            EXPECT_FALSE(fs::exists(test_cgroup_)) << "cgroup left: " << test_cgroup_;
        }
        EXPECT_TRUE(mounts_matching(lxcpath_->path()).empty()) << "mounts left on the host";
        lxcpath_.reset();
        run_dir_.reset();
        if (saved_run_dir_.empty())
            ::unsetenv("KISTE_RUN_DIR");
        else
            ::setenv("KISTE_RUN_DIR", saved_run_dir_.c_str(), 1);
    }

    void SetUp() override {
        KISTE_REQUIRE_ROOT();
        ASSERT_TRUE(setup_error_.empty()) << setup_error_;
        ASSERT_GT(init_pid_, 0);
    }

    struct Paths {
        state::ContainerPaths p;
        [[nodiscard]] bool init_alive() const {
            return state::observe(p).state == state::State::Running;
        }
    };
    static Paths paths() { return {state::ContainerPaths{lxcpath_->path(), name_}}; }

    static std::vector<std::string> env() {
        return {"KISTE_RUN_DIR=" + run_dir_->path(), "KISTE_ATTACH_TEST_VAR=from-the-host"};
    }
    static RunResult kiste(const std::vector<std::string>& args, const std::string& input = {}) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_->path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, input, env());
    }
    static RunResult attach(const std::vector<std::string>& args, const std::string& input = {}) {
        std::vector<std::string> a = {"attach", name_};
        a.insert(a.end(), args.begin(), args.end());
        return kiste(a, input);
    }
    static RunResult sh(const std::string& script, const std::vector<std::string>& opts = {}) {
        std::vector<std::string> a = opts;
        a.insert(a.end(), {"--", "/bin/sh", "-c", script});
        return attach(a);
    }

    // kiste execute of `sleep` in the rootfs, described by a state file of ours.
    static void start_stand_in(const std::string& dir) {
        mode_ = "stand-in (kiste execute + state.json)";
        std::string conf;
        std::istringstream ss(read_file(dir + "/config"));
        for (std::string line; std::getline(ss, line);)
            if (line.find("lxc.tty.max") == std::string::npos) conf += line + "\n";
        write_file(dir + "/execute.conf", conf);
        const std::string lock_root = paths().p.run_root();
        fs::create_directories(paths().p.run_dir());
        std::vector<std::string> argv = {
            kiste_binary(),      "execute", "-n",      name_, "-f",        dir + "/execute.conf",
            "--allow-unapplied", "--",      "/bin/sh", "-c",  "sleep 1000"};
        pid_t pid = ::fork();
        if (pid == 0) {
            ::setsid();
            int null = ::open("/dev/null", O_RDWR);
            ::dup2(null, 0);
            ::dup2(null, 1);
            ::setenv("KISTE_RUN_DIR", lock_root.c_str(), 1);
            std::vector<char*> c;
            for (const auto& a : argv) c.push_back(const_cast<char*>(a.c_str()));
            c.push_back(nullptr);
            ::execv(c[0], c.data());
            ::_exit(127);
        }
        standin_pid_ = pid;
        // The init is kiste's child; it is set up once it runs its command.
        pid_t init = 0, cmd = 0;
        for (auto end = Clock::now() + 10s; Clock::now() < end && cmd == 0;
             std::this_thread::sleep_for(10ms)) {
            init = first_child(pid);
            if (init > 0) cmd = first_child(init);
        }
        if (cmd == 0) {
            setup_error_ = "the stand-in container did not start";
            return;
        }
        state::RuntimeState s;
        s.state = state::State::Running;
        s.init_pid = init;
        s.init_start_time = state::process_start_time(init);
        s.owner_pid = pid;
        s.owner_start_time = state::process_start_time(pid);
        // A cgroup of its own, so joining it and listing by cgroup are tested.
        const std::string cg = fmt::format("/sys/fs/cgroup/pids/kiste-attach-test-{}", name_);
        if (::mkdir(cg.c_str(), 0755) == 0) {
            test_cgroup_ = cg;
            write_file(cg + "/cgroup.procs", std::to_string(init) + "\n");
            write_file(cg + "/cgroup.procs", std::to_string(cmd) + "\n");
            s.cgroup_paths = {cg};
        }
        if (auto st = state::write_state(paths().p, s); !st) setup_error_ = st.error().message();
    }

    static inline std::unique_ptr<TempDir> lxcpath_;
    static inline std::unique_ptr<TempDir> run_dir_;
    static inline std::string name_;
    static inline std::string saved_run_dir_;
    static inline std::string mode_;
    static inline std::string setup_error_;
    static inline std::string test_cgroup_;
    static inline pid_t standin_pid_ = -1;
    static inline pid_t init_pid_ = 0;
};

class Attach : public AttachBase<false> {};
class AttachUserns : public AttachBase<true> {};

TEST_F(Attach, HostnameIsTheContainers) {
    RecordProperty("container", mode_);
    auto r = attach({"--", "hostname"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, name_ + "\n");
}

TEST_F(Attach, ExitStatusPassesThrough) {
    EXPECT_EQ(sh("exit 7").code, 7);
    EXPECT_EQ(sh("kill -KILL $$").code, 128 + SIGKILL);
    auto nf = attach({"--", "/no/such/binary"});
    EXPECT_EQ(nf.code, 127);
    EXPECT_NE(nf.err.find("/no/such/binary"), std::string::npos) << nf.err;
}

TEST_F(Attach, StdinIsPipedThroughWithoutAPty) {
    std::string data("binary\0data\xff\r\n", 15);
    for (int i = 0; i < 5000; ++i) data += "line " + std::to_string(i) + "\n";
    auto r = attach({"--", "cat"}, data);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, data);
    EXPECT_EQ(sh("test -t 0 || echo notty").out, "notty\n");
}

TEST_F(Attach, UidAndGid) {
    EXPECT_EQ(attach({"--", "id", "-u"}).out, "0\n");
    auto r = attach({"-u", "1000", "--", "id", "-u"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "1000\n");
    EXPECT_EQ(attach({"-u", "1000", "-g", "1001", "--", "id", "-g"}).out, "1001\n");
    // A non-root user has no capabilities.
    EXPECT_EQ(sh("grep CapEff /proc/self/status", {"-u", "1000"}).out,
              "CapEff:\t0000000000000000\n");
}

TEST_F(Attach, Environment) {
    auto keep = attach({"--", "env"});
    ASSERT_EQ(keep.code, 0) << keep.err;
    EXPECT_NE(keep.out.find("KISTE_ATTACH_TEST_VAR=from-the-host\n"), std::string::npos);
    EXPECT_NE(keep.out.find("container=lxc\n"), std::string::npos);

    auto clear = attach({"--clear-env", "-v", "FOO=bar", "--", "env"});
    ASSERT_EQ(clear.code, 0) << clear.err;
    EXPECT_NE(clear.out.find("FOO=bar\n"), std::string::npos) << clear.out;
    EXPECT_NE(clear.out.find("container=lxc\n"), std::string::npos) << clear.out;
    // As lxc-attach: only PATH and container=lxc of kiste's own making.
    EXPECT_EQ(clear.out.find("HOME="), std::string::npos) << clear.out;
    EXPECT_EQ(clear.out.find("TERM="), std::string::npos) << clear.out;
    EXPECT_EQ(clear.out.find("KISTE_ATTACH_TEST_VAR"), std::string::npos) << clear.out;
    EXPECT_EQ(clear.out.find("KISTE_RUN_DIR"), std::string::npos) << clear.out;
}

TEST_F(Attach, WorkingDirectory) {
    EXPECT_EQ(attach({"--", "pwd"}).out, "/root\n");  // root's home in the container
    EXPECT_EQ(attach({"--cwd", "/tmp", "--", "pwd"}).out, "/tmp\n");
    EXPECT_EQ(attach({"-u", "4242", "--", "pwd"}).out, "/\n");  // no passwd entry
    auto bad = attach({"--cwd", "/no/such/dir", "--", "pwd"});
    EXPECT_NE(bad.code, 0);
    EXPECT_NE(bad.err.find("/no/such/dir"), std::string::npos) << bad.err;
}

TEST_F(Attach, SeesTheContainersNamespacesAndCgroups) {
    // /proc is the container's: its PID 1 is the container's init.
    auto comm = attach({"--", "cat", "/proc/1/comm"});
    ASSERT_EQ(comm.code, 0) << comm.err;
    EXPECT_EQ(comm.out, read_file(fmt::format("/proc/{}/comm", init_pid_)));
    for (const char* ns : {"pid", "mnt", "uts", "ipc", "net", "cgroup", "user"}) {
        auto r = attach({"--", "readlink", std::string("/proc/self/ns/") + ns});
        EXPECT_EQ(r.out,
                  fs::read_symlink(fmt::format("/proc/{}/ns/{}", init_pid_, ns)).string() + "\n")
            << ns;
    }
    // The same cgroups as the init, in every hierarchy.
    auto cg = sh("cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup");
    ASSERT_EQ(cg.code, 0) << cg.err;
    auto sep = cg.out.find("---\n");
    ASSERT_NE(sep, std::string::npos);
    EXPECT_EQ(cg.out.substr(0, sep), cg.out.substr(sep + 4)) << cg.out;
    if (!test_cgroup_.empty()) {
        auto host = sh("cat /proc/self/cgroup");
        EXPECT_NE(host.out.find(fs::path(test_cgroup_).filename().string()), std::string::npos)
            << host.out;
    }
}

TEST_F(Attach, CapabilityBoundingSetIsTheInits) {
    const std::string init_bnd = status_line(init_pid_, "CapBnd");
    ASSERT_FALSE(init_bnd.empty());
    auto r = attach({"--", "grep", "CapBnd", "/proc/self/status"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, init_bnd + "\n");
    // lxc.cap.drop = sys_module (16) is gone.
    auto mask = std::stoull(init_bnd.substr(init_bnd.find('\t') + 1), nullptr, 16);
    EXPECT_EQ(mask & (1ULL << 16), 0U);
    // -e keeps kiste's own set.
    auto e = attach({"-e", "--", "grep", "CapBnd", "/proc/self/status"});
    EXPECT_EQ(e.out, status_line(::getpid(), "CapBnd") + "\n");
}

TEST_F(Attach, SignalsAreForwarded) {
    std::vector<std::string> argv = {kiste_binary(),
                                     "-P",
                                     lxcpath_->path(),
                                     "attach",
                                     name_,
                                     "--",
                                     "/bin/sh",
                                     "-c",
                                     "trap 'exit 42' TERM; trap 'exit 43' INT; echo ready; "
                                     "while :; do sleep 0.05; done"};
    for (auto [sig, code] : {std::pair{SIGTERM, 42}, std::pair{SIGINT, 43}}) {
        Spawned s = spawn(argv, env());
        ASSERT_NE(s.read_until("ready").find("ready"), std::string::npos);
        ::kill(s.pid, sig);
        EXPECT_EQ(s.wait(), code) << "signal " << sig;
    }
}

TEST_F(Attach, PtyWhenOnATerminal) {
    int master = -1;
    winsize ws{};
    ws.ws_row = 33;
    ws.ws_col = 111;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::setenv("KISTE_RUN_DIR", run_dir_->path().c_str(), 1);
        ::setenv("TERM", "xterm", 1);
        ::execl(kiste_binary().c_str(), "kiste", "-P", lxcpath_->path().c_str(), "attach",
                name_.c_str(), nullptr);  // the default: root's shell
        ::_exit(127);
    }
    std::string seen;
    // Reads until `want` shows up, kiste exits (EIO), or 10 s pass.
    auto read_until = [&](const std::string& want) {
        for (auto end = Clock::now() + 10s; Clock::now() < end;) {
            if (!want.empty() && seen.find(want) != std::string::npos) return true;
            pollfd p{master, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            char buf[1024];
            ssize_t n = ::read(master, buf, sizeof buf);
            if (n <= 0) return false;
            seen.append(buf, static_cast<size_t>(n));
        }
        return false;
    };
    auto type = [&](const std::string& s) {
        return ::write(master, s.data(), s.size()) == static_cast<ssize_t>(s.size());
    };
    ASSERT_TRUE(type("tty; stty size\r"));
    EXPECT_TRUE(read_until("33 111")) << seen;
    // The window size follows ours (SIGWINCH to kiste, then the pty's size).
    ws.ws_row = 40;
    ws.ws_col = 120;
    ASSERT_EQ(::ioctl(master, TIOCSWINSZ, &ws), 0);
    ASSERT_TRUE(type("stty size; exit 3\r"));
    EXPECT_TRUE(read_until("40 120")) << seen;
    read_until("");
    int st = 0;
    ::waitpid(pid, &st, 0);
    ::close(master);
    ASSERT_TRUE(WIFEXITED(st)) << seen;
    EXPECT_EQ(WEXITSTATUS(st), 3) << seen;
    // A pty of the container's own devpts, with our window size.
    EXPECT_NE(seen.find("\n/dev/pts/"), std::string::npos) << seen;
    EXPECT_NE(seen.find("33 111"), std::string::npos) << seen;
}

TEST_F(Attach, RefusedWhenNotRunning) {
    auto none = kiste({"attach", "no-such-container", "--", "true"});
    EXPECT_EQ(none.code, 1);
    EXPECT_NE(none.err.find("no container no-such-container"), std::string::npos) << none.err;
    const std::string dir = lxcpath_->path() + "/stopped";
    fs::create_directories(dir);
    write_file(dir + "/config", "lxc.uts.name = stopped\n");
    auto stopped = kiste({"attach", "stopped", "--", "true"});
    EXPECT_EQ(stopped.code, 1);
    EXPECT_NE(stopped.err.find("container stopped is not running"), std::string::npos)
        << stopped.err;
    auto ps = kiste({"ps", "stopped"});
    EXPECT_EQ(ps.code, 1);
    EXPECT_NE(ps.err.find("not running"), std::string::npos) << ps.err;
    fs::remove_all(dir);
}

TEST_F(Attach, PsListsHostAndContainerPids) {
    auto table = kiste({"ps", name_});
    ASSERT_EQ(table.code, 0) << table.err;
    EXPECT_TRUE(first_line(table.out).find("PID") != std::string::npos &&
                first_line(table.out).find("CPID") != std::string::npos)
        << table.out;
    EXPECT_NE(table.out.find(fmt::format("{:>7} {:>7} root", init_pid_, 1)), std::string::npos)
        << table.out;

    // Right after the start (each test of a VM run starts its own container)
    // busybox's init may not have spawned its shell yet: give it a moment.
    auto json = kiste({"ps", "--format", "json", name_});
    auto arr = nlohmann::json::parse(json.out, nullptr, false);
    for (int i = 0; i < 100 && json.code == 0 && arr.is_array() && arr.size() < 2; ++i) {
        std::this_thread::sleep_for(50ms);
        json = kiste({"ps", "--format", "json", name_});
        arr = nlohmann::json::parse(json.out, nullptr, false);
    }
    ASSERT_EQ(json.code, 0) << json.err;
    ASSERT_TRUE(arr.is_array()) << json.out;
    ASSERT_GE(arr.size(), 2U) << json.out;  // init and its command at least
    bool init_seen = false;
    for (const auto& p : arr) {
        EXPECT_GT(p.at("cpid").get<int>(), 0);
        EXPECT_TRUE(p.contains("user") && p.contains("state") && p.contains("command"));
        if (p.at("pid").get<int>() == init_pid_) {
            init_seen = true;
            EXPECT_EQ(p.at("cpid").get<int>(), 1);
        }
    }
    EXPECT_TRUE(init_seen) << json.out;

    // An attached process shows up too, with its container pid.
    Spawned s = spawn({kiste_binary(), "-P", lxcpath_->path(), "attach", name_, "--", "/bin/sh",
                       "-c", "echo ready; exec sleep 31"},
                      env());
    ASSERT_NE(s.read_until("ready").find("ready"), std::string::npos);
    auto with = kiste({"ps", "--format", "json", name_});
    bool attached_seen = false;
    for (const auto& p : nlohmann::json::parse(with.out, nullptr, false))
        if (p.value("command", "") == "sleep 31") {
            attached_seen = true;
            EXPECT_GT(p.at("cpid").get<int>(), 1);
            EXPECT_NE(p.at("pid").get<int>(), p.at("cpid").get<int>());
        }
    EXPECT_TRUE(attached_seen) << with.out;
    ::kill(s.pid, SIGTERM);
    EXPECT_EQ(s.wait(), 128 + SIGTERM);

    auto host_ps = kiste({"ps", name_, "--", "-o", "pid="});
    ASSERT_EQ(host_ps.code, 0) << host_ps.err;
    EXPECT_NE(host_ps.out.find(std::to_string(init_pid_)), std::string::npos) << host_ps.out;
}

// kiste attach re-executes itself from a sealed image before it forks, so
// its helpers, the attached process until its exec included, never run the
// host's binary: /proc/PID/exe (which root in a privileged container may
// open, CAP_SYS_PTRACE overriding non-dumpability) is a read-only overlay
// file or a sealed memfd. The helpers inherit the image of kiste's process,
// which holds it for its whole life: that process is checked here.
TEST_F(Attach, RunsFromASealedImage) {
    Spawned s = spawn({kiste_binary(), "-P", lxcpath_->path(), "attach", name_, "--", "/bin/sh",
                       "-c", "echo ready; exec sleep 32"},
                      env());
    ASSERT_NE(s.read_until("ready").find("ready"), std::string::npos);
    const std::string exe = fmt::format("/proc/{}/exe", s.pid);
    struct stat host {
    }, image{};
    ASSERT_EQ(::stat(kiste_binary().c_str(), &host), 0);
    ASSERT_EQ(::stat(exe.c_str(), &image), 0);
    EXPECT_FALSE(host.st_dev == image.st_dev && host.st_ino == image.st_ino)
        << "kiste attach runs the host's binary " << kiste_binary();
    const int w = ::open(exe.c_str(), O_WRONLY | O_CLOEXEC);
    EXPECT_LT(w, 0) << "the image is writable";
    if (w >= 0) ::close(w);
    const int r = ::open(exe.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(r, 0);
    if (r >= 0) ::close(r);
    ::kill(s.pid, SIGTERM);
    EXPECT_EQ(s.wait(), 128 + SIGTERM);

    // The marker of the re-executed kiste does not reach the command.
    auto env_out = attach({"--", "env"});
    ASSERT_EQ(env_out.code, 0) << env_out.err;
    EXPECT_EQ(env_out.out.find("_KISTE_ATTACH_SEALED"), std::string::npos) << env_out.out;
}

// The helpers themselves, each caught before it runs a single instruction:
// kiste attach runs under ptrace (fork, clone and exec events), every process
// or thread it makes is stopped at its birth and its image checked, the
// attached process before its exec included.
TEST_F(Attach, EveryHelperStartsFromTheSealedImage) {
    struct stat host {};
    ASSERT_EQ(::stat(kiste_binary().c_str(), &host), 0);
    const std::string lxcpath = lxcpath_->path();
    const std::vector<std::string> environment = env();
    const pid_t top = ::fork();
    ASSERT_GE(top, 0);
    if (top == 0) {
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        for (const auto& e : environment) ::putenv(const_cast<char*>(e.c_str()));
        ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
        ::raise(SIGSTOP);
        ::execl(kiste_binary().c_str(), "kiste", "-P", lxcpath.c_str(), "attach", name_.c_str(),
                "--", "/bin/true", nullptr);
        ::_exit(127);
    }
    int st = 0;
    ASSERT_EQ(::waitpid(top, &st, 0), top);
    ASSERT_TRUE(WIFSTOPPED(st));
    ASSERT_EQ(::ptrace(PTRACE_SETOPTIONS, top, nullptr,
                       PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                           PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL),
              0);
    ASSERT_EQ(::ptrace(PTRACE_CONT, top, nullptr, nullptr), 0);

    std::set<pid_t> live = {top}, born;
    std::vector<std::string> problems;
    int top_status = -1;
    const auto end = Clock::now() + 20s;
    while ((top_status < 0 || !live.empty()) && Clock::now() < end) {
        const pid_t p = ::waitpid(-1, &st, __WALL | WNOHANG);
        if (p <= 0) {
            std::this_thread::sleep_for(1ms);
            continue;
        }
        if (WIFEXITED(st) || WIFSIGNALED(st)) {
            live.erase(p);
            if (p == top) top_status = st;
            continue;
        }
        if (!WIFSTOPPED(st)) continue;
        int deliver = 0;
        if (!live.contains(p)) {
            // A new process or thread, stopped before its first instruction.
            live.insert(p);
            born.insert(p);
            const std::string exe = fmt::format("/proc/{}/exe", p);
            struct stat image {};
            if (::stat(exe.c_str(), &image) < 0)
                problems.push_back(fmt::format("{}: {}", exe, std::strerror(errno)));
            else if (image.st_dev == host.st_dev && image.st_ino == host.st_ino)
                problems.push_back(fmt::format("pid {} runs the host's {}", p, kiste_binary()));
            const int w = ::open(exe.c_str(), O_WRONLY | O_CLOEXEC);
            if (w >= 0) {
                problems.push_back(exe + " opens for writing");
                ::close(w);
            }
        } else if ((st >> 16) == 0 && WSTOPSIG(st) != SIGSTOP) {
            deliver = WSTOPSIG(st);  // an ordinary signal, not a ptrace event
        }
        ::ptrace(PTRACE_CONT, p, nullptr, deliver);
    }
    if (top_status < 0) {
        ::kill(top, SIGKILL);
        ::waitpid(top, &st, __WALL);
    }
    ASSERT_TRUE(top_status >= 0 && WIFEXITED(top_status)) << "kiste attach did not end";
    EXPECT_EQ(WEXITSTATUS(top_status), 0);
    EXPECT_GE(born.size(), 2U) << "the intermediate and the attached process";
    std::string all;
    for (const auto& pr : problems) all += pr + "\n";
    EXPECT_TRUE(problems.empty()) << all;
}

// A key in the caller's session keyring, visible to its possessors only, is
// out of the attached process's reach: it gets a session keyring of its own.
TEST_F(Attach, CallersSessionKeyringStaysOutside) {
    const std::string desc = fmt::format("kiste-attach-test-key-{}", ::getpid());
    const std::string ring = fmt::format("kiste-attach-test-ring-{}", ::getpid());
    auto in_child = [&desc, &ring] {
        // A keyring for this child alone, so the test's own stays untouched.
        if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, ring.c_str()) < 0) ::_exit(120);
        const long key =
            ::syscall(SYS_add_key, "user", desc.c_str(), "secret", 6, KEY_SPEC_SESSION_KEYRING);
        if (key < 0) ::_exit(121);
        // Possessor: everything; owner, group, others: nothing.
        if (::syscall(SYS_keyctl, KEYCTL_SETPERM, key, 0x3f000000) < 0) ::_exit(122);
    };
    // The control: kiste's own process possesses the key.
    Spawned host = spawn({"/bin/cat", "/proc/keys"}, {}, in_child);
    const std::string seen = host.read_until(desc);
    ASSERT_EQ(host.wait(), 0);
    ASSERT_NE(seen.find(desc), std::string::npos) << seen;

    Spawned s = spawn({kiste_binary(), "-P", lxcpath_->path(), "attach", name_, "--", "/bin/sh",
                       "-c", "cat /proc/keys; echo done"},
                      env(), in_child);
    const std::string inside = s.read_until("done\n");
    EXPECT_EQ(s.wait(), 0) << inside;
    EXPECT_NE(inside.find("done"), std::string::npos) << inside;
    EXPECT_EQ(inside.find(desc), std::string::npos) << inside;
}

// ---- an unprivileged container: the user namespace is joined first.

TEST_F(AttachUserns, RootInsideIsMappedRoot) {
    RecordProperty("container", mode_);
    auto r = sh("id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user; hostname");
    ASSERT_EQ(r.code, 0) << r.err;
    std::istringstream ss(r.out);
    std::string uid, map, userns, host;
    std::getline(ss, uid);
    std::getline(ss, map);
    std::getline(ss, userns);
    std::getline(ss, host);
    EXPECT_EQ(uid, "0");
    EXPECT_NE(map.find("100000"), std::string::npos) << map;
    EXPECT_EQ(userns, fs::read_symlink(fmt::format("/proc/{}/ns/user", init_pid_)).string());
    EXPECT_EQ(host, name_);
    EXPECT_EQ(attach({"-u", "1000", "--", "id", "-u"}).out, "1000\n");
}

TEST_F(AttachUserns, PipeAndPty) {
    EXPECT_EQ(attach({"--", "cat"}, "through\n").out, "through\n");
    int master = -1;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::setenv("KISTE_RUN_DIR", run_dir_->path().c_str(), 1);
        ::execl(kiste_binary().c_str(), "kiste", "-P", lxcpath_->path().c_str(), "attach",
                name_.c_str(), "--", "/bin/sh", "-c", "tty; id -u; exit 5", nullptr);
        ::_exit(127);
    }
    std::string seen;
    for (auto end = Clock::now() + 10s; Clock::now() < end;) {
        pollfd p{master, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        char buf[1024];
        ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0) break;
        seen.append(buf, static_cast<size_t>(n));
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    ::close(master);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 5) << seen;
    EXPECT_EQ(seen.find("/dev/pts/"), 0U) << seen;
}

TEST_F(AttachUserns, PsMapsUsers) {
    auto json = kiste({"ps", "--format", "json", name_});
    ASSERT_EQ(json.code, 0) << json.err;
    auto arr = nlohmann::json::parse(json.out, nullptr, false);
    ASSERT_TRUE(arr.is_array() && !arr.empty()) << json.out;
    for (const auto& p : arr) {
        EXPECT_EQ(p.value("user", ""), "root") << json.out;  // host uid 100000
        EXPECT_EQ(p.value("uid", -1), 0);
    }
    EXPECT_EQ(arr[0].value("pid", 0), init_pid_);
    EXPECT_EQ(arr[0].value("cpid", 0), 1);
}

}  // namespace
}  // namespace kiste::test
