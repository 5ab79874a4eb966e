// The cgroup manager on this machine's hybrid v1 host, as root: enforcement,
// not just file contents. Every cgroup lies below the test's own cgroup
// (kiste.payload/NAME) and is destroyed at the end, also on failure.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/scope_exit.hpp"
#include "cgroup/cgroup.hpp"
#include "cgroup/host.hpp"
#include "harness.hpp"

namespace kiste::cgroup {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void spin() {
    volatile uint64_t i = 0;
    for (;;) i = i + 1;
}
using namespace std::chrono_literals;

std::string test_name(const char* what) {
    return fmt::format("kiste-cgtest-{}-{}", ::getpid(), what);
}

// A forked child running `body`; killed and reaped at scope end.
class Child {
public:
    template <class F>
    explicit Child(F body) {
        pid_ = ::fork();
        EXPECT_GE(pid_, 0);
        if (pid_ == 0) {
            body();
            ::_exit(0);
        }
    }
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    [[nodiscard]] pid_t pid() const { return pid_; }
    // Waits for the exit; the raw wait status.
    int wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }

private:
    pid_t pid_ = -1;
};

// utime + stime of a process, in clock ticks.
uint64_t cpu_ticks(pid_t pid) {
    std::ifstream f(fmt::format("/proc/{}/stat", pid));
    std::string line;
    std::getline(f, line);
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15; ++i) {
        rest >> field;
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return utime + stime;
}

uint64_t ticks_over(pid_t pid, std::chrono::milliseconds d) {
    uint64_t before = cpu_ticks(pid);
    std::this_thread::sleep_for(d);
    return cpu_ticks(pid) - before;
}

// One pipe; the child blocks on it until the parent says go.
struct Gate {
    int fds[2] = {-1, -1};
    Gate() { EXPECT_EQ(::pipe(fds), 0); }
    ~Gate() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    void wait_in_child() const {
        char c = 0;
        ::close(fds[1]);
        (void)!::read(fds[0], &c, 1);
    }
    void open() const { (void)!::write(fds[1], "g", 1); }
};

bool on_hybrid_host() {
    auto l = detect_layout();
    return l && *l != Layout::V2;
}

#define REQUIRE_V1_HOST()                                                   \
    do {                                                                    \
        KISTE_REQUIRE_ROOT();                                               \
        if (!on_hybrid_host()) GTEST_SKIP() << "needs a v1 or hybrid host"; \
    } while (0)

struct Managed {
    std::unique_ptr<Manager> m;
    std::vector<std::string> paths;
};

Managed make(const std::string& name, const CgroupConfig& cfg = {}) {
    auto m = make_manager(name, cfg);
    EXPECT_TRUE(m) << m.error().message();
    if (!m) return {};
    auto st = (*m)->create();
    EXPECT_TRUE(st) << st.error().message();
    Managed out{std::move(*m), {}};
    out.paths = out.m->paths();
    return out;
}

TEST(CgroupV1, CreateAttachDestroy) {
    REQUIRE_V1_HOST();
    const auto name = test_name("basic");
    auto mg = make(name);
    ASSERT_TRUE(mg.m);
    ScopeExit cleanup([&] { (void)mg.m->destroy(); });
    EXPECT_EQ(mg.m->layout(), Layout::Hybrid);
    ASSERT_GE(mg.paths.size(), 2u);
    for (const auto& p : mg.paths) {
        EXPECT_TRUE(fs::is_directory(p)) << p;
        EXPECT_NE(p.find("/kiste.payload/" + name), std::string::npos) << p;
    }

    Child child([] {
        for (;;) ::pause();
    });
    ASSERT_TRUE(mg.m->attach(child.pid()));
    // In every hierarchy, and seen by the kernel as such.
    for (const auto& p : mg.paths) {
        auto procs = test::read_file(p + "/cgroup.procs");
        EXPECT_NE(procs.find(std::to_string(child.pid())), std::string::npos) << p;
    }
    auto own = test::read_file(fmt::format("/proc/{}/cgroup", child.pid()));
    for (const auto& line : parse_proc_cgroup(own))
        EXPECT_NE(line.path.find("/kiste.payload/" + name), std::string::npos) << line.path;
    auto pids = mg.m->pids();
    ASSERT_TRUE(pids);
    EXPECT_EQ(*pids, std::vector<pid_t>{child.pid()});

    ASSERT_TRUE(mg.m->destroy()) << "destroy";
    int status = child.wait();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    for (const auto& p : mg.paths) EXPECT_FALSE(fs::exists(p)) << p;
    EXPECT_TRUE(mg.m->destroy());  // idempotent
}

TEST(CgroupV1, FreezeStopsABusyLoopAndThawResumes) {
    REQUIRE_V1_HOST();
    auto mg = make(test_name("freeze"));
    ASSERT_TRUE(mg.m);
    ScopeExit cleanup([&] { (void)mg.m->destroy(); });
    Child child([] { spin(); });
    ASSERT_TRUE(mg.m->attach(child.pid()));
    EXPECT_GE(ticks_over(child.pid(), 300ms), 3u);
    ASSERT_TRUE(mg.m->freeze());
    EXPECT_TRUE(*mg.m->frozen());
    EXPECT_LE(ticks_over(child.pid(), 300ms), 1u);
    ASSERT_TRUE(mg.m->thaw());
    EXPECT_FALSE(*mg.m->frozen());
    EXPECT_GE(ticks_over(child.pid(), 300ms), 3u);

    // A frozen container is still killed and removed by destroy.
    ASSERT_TRUE(mg.m->freeze());
    ASSERT_TRUE(mg.m->destroy());
    int status = child.wait();
    EXPECT_TRUE(WIFSIGNALED(status));
    for (const auto& p : mg.paths) EXPECT_FALSE(fs::exists(p)) << p;
}

TEST(CgroupV1, MemoryLimitOomKillsTheHog) {
    REQUIRE_V1_HOST();
    auto mg = make(test_name("oom"));
    ASSERT_TRUE(mg.m);
    ScopeExit cleanup([&] { (void)mg.m->destroy(); });
    CgroupConfig cfg;
    cfg.settings = {{1, "memory.limit_in_bytes", "32M", "test:1"}};
    // Without memsw the hog would swap instead of dying (when the host swaps).
    if (mg.m->get("memory.memsw.limit_in_bytes"))
        cfg.settings.push_back({1, "memory.memsw.limit_in_bytes", "32M", "test:2"});
    ASSERT_TRUE(mg.m->apply_settings(cfg));
    EXPECT_EQ(*mg.m->get("memory.limit_in_bytes"), std::to_string(32 << 20));

    Gate gate;
    Child hog([&] {
        gate.wait_in_child();
        for (int i = 0; i < 100; ++i) {
            auto* p = static_cast<char*>(std::malloc(1 << 20));
            if (p == nullptr) ::_exit(2);
            std::memset(p, 1, 1 << 20);
        }
        ::_exit(0);
    });
    ASSERT_TRUE(mg.m->attach(hog.pid()));
    gate.open();
    int status = hog.wait();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
    auto st = mg.m->stats();
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_GE(st->oom_kills, 1u);
    EXPECT_EQ(st->memory_limit, 32u << 20);
}

TEST(CgroupV1, PidsMaxCapsForks) {
    REQUIRE_V1_HOST();
    auto mg = make(test_name("pids"));
    ASSERT_TRUE(mg.m);
    ScopeExit cleanup([&] { (void)mg.m->destroy(); });
    CgroupConfig cfg;
    cfg.settings = {{1, "pids.max", "5", "test:1"}};
    ASSERT_TRUE(mg.m->apply_settings(cfg));

    Gate gate;
    int report[2];
    ASSERT_EQ(::pipe(report), 0);
    Child forker([&] {
        gate.wait_in_child();
        int made = 0;
        for (int i = 0; i < 20; ++i) {
            pid_t p = ::fork();
            if (p == 0) {
                for (;;) ::pause();
            }
            if (p > 0) ++made;
        }
        (void)!::write(report[1], &made, sizeof made);
        for (;;) ::pause();
    });
    ::close(report[1]);
    ASSERT_TRUE(mg.m->attach(forker.pid()));
    gate.open();
    int made = -1;
    ASSERT_EQ(::read(report[0], &made, sizeof made), static_cast<ssize_t>(sizeof made));
    ::close(report[0]);
    EXPECT_EQ(made, 4);  // five tasks: the forker and four children
    auto st = mg.m->stats();
    ASSERT_TRUE(st);
    EXPECT_EQ(st->pids, 5u);
    ASSERT_TRUE(mg.m->destroy());
    for (const auto& p : mg.paths) EXPECT_FALSE(fs::exists(p)) << p;
}

TEST(CgroupV1, KernelErrorNamesSettingAndErrno) {
    REQUIRE_V1_HOST();
    auto mg = make(test_name("einval"));
    ASSERT_TRUE(mg.m);
    ScopeExit cleanup([&] { (void)mg.m->destroy(); });
    CgroupConfig cfg;
    cfg.settings = {{1, "cpuset.cpus", "4095", "/etc/kiste/x.conf:3"}};
    auto st = mg.m->apply_settings(cfg);
    ASSERT_FALSE(st);
    const auto msg = st.error().message();
    EXPECT_NE(msg.find("/etc/kiste/x.conf:3: lxc.cgroup.cpuset.cpus = 4095"), std::string::npos)
        << msg;
    // The kernel's word on it (EINVAL or ERANGE, by kernel version).
    EXPECT_NE(st.error().code(), 0) << msg;
    EXPECT_NE(msg.find("writing '4095' to "), std::string::npos) << msg;
}

TEST(CgroupV1, CreateCleansACrashedRunsLeftover) {
    REQUIRE_V1_HOST();
    const auto name = test_name("leftover");
    // Forked before the first run's manager exists: a container's processes
    // never hold its owner lock (they exec; the lock is close-on-exec).
    Child stray([] {
        for (;;) ::pause();
    });
    auto first = make(name);
    ASSERT_TRUE(first.m);
    ScopeExit cleanup([&] { (void)first.m->destroy(); });
    ASSERT_TRUE(first.m->attach(stray.pid()));
    // A new run of the same name, as after a crash of the old monitor: the
    // old owner is gone (its object with it), its cgroup and process stay.
    first.m.reset();
    cleanup.dismiss();
    auto second = make(name);
    ASSERT_TRUE(second.m);
    int status = stray.wait();
    EXPECT_TRUE(WIFSIGNALED(status));
    for (const auto& p : second.paths) EXPECT_TRUE(fs::is_directory(p)) << p;
    EXPECT_TRUE(second.m->pids()->empty());
    ASSERT_TRUE(second.m->destroy());
}

TEST(CgroupV1, ReopenFromRecordedPaths) {
    REQUIRE_V1_HOST();
    auto mg = make(test_name("reopen"));
    ASSERT_TRUE(mg.m);
    ScopeExit cleanup([&] { (void)mg.m->destroy(); });
    Child child([] {
        for (;;) ::pause();
    });
    ASSERT_TRUE(mg.m->attach(child.pid()));
    auto again = open_manager(mg.paths);
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ((*again)->layout(), Layout::Hybrid);
    EXPECT_EQ(*(*again)->pids(), std::vector<pid_t>{child.pid()});
    ASSERT_TRUE((*again)->freeze());
    EXPECT_TRUE(*mg.m->frozen());
    ASSERT_TRUE((*again)->set("pids.max", "10"));
    EXPECT_EQ(*mg.m->get("pids.max"), "10");
    ASSERT_TRUE((*again)->destroy());
    for (const auto& p : mg.paths) EXPECT_FALSE(fs::exists(p)) << p;
    EXPECT_FALSE(open_manager(mg.paths));
}

TEST(CgroupV1, MonitorCgroupEnterAndLeave) {
    REQUIRE_V1_HOST();
    const auto name = test_name("monitor");
    // In a child, so the test process never changes cgroups.
    Child mon([&] {
        const auto before = test::read_file("/proc/self/cgroup");
        auto mc = enter_monitor_cgroup(name, {});
        if (!mc) ::_exit(10);
        auto now = parse_proc_cgroup(test::read_file("/proc/self/cgroup"));
        for (const auto& l : now)
            if (!l.path.ends_with("/kiste.monitor/" + name)) ::_exit(11);
        // The container goes beside the monitor, not inside it.
        auto m = make_manager(name, {});
        if (!m) ::_exit(12);
        for (const auto& p : (*m)->paths())
            if (p.find("kiste.monitor") != std::string::npos) ::_exit(13);
        auto dirs = (*mc)->paths();
        if (!(*mc)->leave()) ::_exit(14);
        if (test::read_file("/proc/self/cgroup") != before) ::_exit(15);
        for (const auto& d : dirs)
            if (fs::exists(d)) ::_exit(16);
        ::_exit(0);
    });
    int status = mon.wait();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace kiste::cgroup
