// The v2 manager on real cgroup2: this hybrid host's unified mount has no
// controllers, but the core files of v2 (cgroup.procs, cgroup.freeze,
// cgroup.kill, cgroup.events) work there, so the v2 paths that need no
// controller run here; memory.max, pids.max and the rest need the pure-v2 guest.
// The test makes its own base cgroup below the unified root, so the manager's
// controller enabling never writes to a cgroup the test did not create.
#include <fcntl.h>
#include <linux/sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/scope_exit.hpp"
#include "cgroup/host.hpp"
#include "cgroup/manager_impl.hpp"
#include "harness.hpp"

namespace kiste::cgroup {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void spin() {
    volatile uint64_t i = 0;
    for (;;) i = i + 1;
}
using namespace std::chrono_literals;

uint64_t cpu_ticks(pid_t pid) {
    std::ifstream f(fmt::format("/proc/{}/stat", pid));
    std::string line;
    std::getline(f, line);
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    uint64_t total = 0;
    for (int i = 3; i <= 15; ++i) {
        rest >> field;
        if (i >= 14) total += std::stoull(field);
    }
    return total;
}

uint64_t ticks_over(pid_t pid, std::chrono::milliseconds d) {
    uint64_t before = cpu_ticks(pid);
    std::this_thread::sleep_for(d);
    return cpu_ticks(pid) - before;
}

pid_t spawn(bool busy) {
    pid_t pid = ::fork();
    EXPECT_GE(pid, 0);
    if (pid == 0) {
        if (busy) spin();
        for (;;) ::pause();
    }
    return pid;
}

// Our own cgroup on the host's cgroup2 mount, when there is one.
std::optional<Hierarchy> unified_here() {
    auto host = discover_host();
    if (!host) return std::nullopt;
    for (const auto& h : host->hierarchies)
        if (h.v2) return h;
    return std::nullopt;
}

// A test's own base cgroup, with the kiste.payload the manager made in it
// (kiste.payload stays after destroy(): ManagerBase::remove_dirs).
void remove_test_base(const std::string& base) {
    ::rmdir((base + "/" + kPayloadDir).c_str());
    ::rmdir(base.c_str());
}

TEST(CgroupUnified, V2ManagerCoreFiles) {
    KISTE_REQUIRE_ROOT();
    auto h = unified_here();
    if (!h) GTEST_SKIP() << "no cgroup2 mount";
    // The test's own base, below our cgroup on the unified mount.
    const std::string base = h->base + fmt::format("/kiste-cgtest-{}", ::getpid());
    ASSERT_EQ(::mkdir(base.c_str(), 0755), 0) << base;
    ScopeExit rm_base([&] { remove_test_base(base); });
    HostCgroups host;
    host.layout = Layout::V2;
    host.hierarchies = {Hierarchy{true, {}, h->mountpoint, base}};
    auto mr = make_manager_for(host, "c1", {});
    ASSERT_TRUE(mr) << mr.error().message();
    auto& m = *mr;
    ASSERT_TRUE(m->create());
    ScopeExit cleanup([&] { (void)m->destroy(); });
    const std::string dir = base + "/kiste.payload/c1";
    EXPECT_EQ(m->paths(), std::vector<std::string>{dir});
    EXPECT_TRUE(m->warnings().empty());

    pid_t busy = spawn(true), idle = spawn(false);
    ASSERT_GT(busy, 0);
    ASSERT_GT(idle, 0);
    ScopeExit reap([&] {
        for (pid_t p : {busy, idle}) {
            if (p <= 0) continue;  // never kill(-1) or kill(0)
            ::kill(p, SIGKILL);
            ::waitpid(p, nullptr, 0);
        }
    });
    ASSERT_TRUE(m->attach(busy));
    ASSERT_TRUE(m->attach(idle));
    auto pids = m->pids();
    ASSERT_TRUE(pids);
    EXPECT_EQ(pids->size(), 2u);

    EXPECT_GE(ticks_over(busy, 300ms), 3u);
    ASSERT_TRUE(m->freeze());
    EXPECT_TRUE(*m->frozen());
    EXPECT_EQ(test::read_file(dir + "/cgroup.freeze"), "1\n");
    EXPECT_LE(ticks_over(busy, 300ms), 1u);
    ASSERT_TRUE(m->thaw());
    EXPECT_FALSE(*m->frozen());
    EXPECT_GE(ticks_over(busy, 300ms), 3u);

    // A v2 core key through set/get.
    ASSERT_TRUE(m->set("cgroup.max.descendants", "3"));
    EXPECT_EQ(*m->get("cgroup.max.descendants"), "3");
    // A controller the hierarchy does not give this cgroup is refused with
    // the reason (on the hybrid host the unified hierarchy has none; a pure
    // v2 host enables memory, so there the write works).
    const bool has_memory =
        test::read_file(dir + "/cgroup.controllers").find("memory") != std::string::npos;
    auto missing = m->set("memory.max", "1G");
    if (has_memory) {
        EXPECT_TRUE(missing) << missing.error().message();
    } else {
        ASSERT_FALSE(missing);
        EXPECT_NE(missing.error().message().find("memory controller is not enabled"),
                  std::string::npos)
            << missing.error().message();
    }

    // cgroup.kill, then rmdir.
    ASSERT_TRUE(m->destroy());
    for (pid_t p : {busy, idle}) {
        int status = 0;
        ASSERT_EQ(::waitpid(p, &status, 0), p);
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    }
    busy = idle = -1;
    EXPECT_FALSE(fs::exists(dir));
    // kiste.payload stays for the next container (ManagerBase::remove_dirs).
    EXPECT_TRUE(fs::is_directory(base + "/kiste.payload"));
}

TEST(CgroupUnified, CloneIntoCgroupDirFd) {
    KISTE_REQUIRE_ROOT();
    auto h = unified_here();
    if (!h) GTEST_SKIP() << "no cgroup2 mount";
    const std::string base = h->base + fmt::format("/kiste-cgtest-{}-fd", ::getpid());
    ASSERT_EQ(::mkdir(base.c_str(), 0755), 0) << base;
    ScopeExit rm_base([&] { remove_test_base(base); });
    HostCgroups host;
    host.layout = Layout::V2;
    host.hierarchies = {Hierarchy{true, {}, h->mountpoint, base}};
    auto mr = make_manager_for(host, "c1", {});
    ASSERT_TRUE(mr);
    auto& m = *mr;
    ASSERT_TRUE(m->create());
    ScopeExit cleanup([&] { (void)m->destroy(); });
    auto fd = m->open_v2_dir();
    ASSERT_TRUE(fd);
    ASSERT_GE(*fd, 0);
    UniqueFd owned(*fd);
    struct stat st {};
    ASSERT_EQ(::fstat(*fd, &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    struct stat by_path {};
    ASSERT_EQ(::stat((base + "/kiste.payload/c1").c_str(), &by_path), 0);
    EXPECT_EQ(st.st_ino, by_path.st_ino);

    // clone3 straight into it, with and without a new cgroup namespace.
    for (bool newns : {false, true}) {
        int out[2];
        ASSERT_EQ(::pipe(out), 0);
        clone_args args{};
        args.flags = CLONE_INTO_CGROUP | (newns ? CLONE_NEWCGROUP : 0);
        args.exit_signal = SIGCHLD;
        args.cgroup = static_cast<uint64_t>(*fd);
        long pid = ::syscall(SYS_clone3, &args, sizeof args);
        ASSERT_GE(pid, 0) << std::strerror(errno);
        if (pid == 0) {
            char buf[4096];
            int f = ::open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
            ssize_t n = f >= 0 ? ::read(f, buf, sizeof buf) : -1;
            if (n > 0) (void)!::write(out[1], buf, static_cast<size_t>(n));
            ::_exit(0);
        }
        ::close(out[1]);
        std::string text;
        char buf[4096];
        for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
            text.append(buf, static_cast<size_t>(n));
        ::close(out[0]);
        ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
        std::string v2path;
        for (const auto& l : parse_proc_cgroup(text))
            if (l.id == 0) v2path = l.path;
        if (!newns) {
            EXPECT_TRUE(v2path.ends_with("/kiste.payload/c1")) << text;
        } else {
            // The namespace is rooted at the target cgroup, not the parent's:
            // on v2 the launcher may pass both flags to one clone3 (on v1 the
            // child must unshare it after the parent attached it).
            EXPECT_EQ(v2path, "/") << text;
        }
    }
}

// Forks a child into the manager's cgroup that tries each open; bit i set
// when open i succeeded.
int opens_in(Manager& m, const std::vector<std::pair<const char*, int>>& probes) {
    int gate[2];
    if (::pipe(gate) != 0) return -1;
    pid_t child = ::fork();
    if (child == 0) {
        char c = 0;
        ::close(gate[1]);
        (void)!::read(gate[0], &c, 1);
        int result = 0;
        for (size_t i = 0; i < probes.size(); ++i) {
            int fd = ::open(probes[i].first, probes[i].second | O_CLOEXEC);
            if (fd >= 0) {
                result |= 1 << i;
                ::close(fd);
            } else if (errno != EPERM) {
                result |= 0x80;  // refused for another reason than the filter
            }
        }
        ::_exit(result);
    }
    ::close(gate[0]);
    if (child < 0) {
        ::close(gate[1]);
        return -1;
    }
    auto st = m.attach(child);
    EXPECT_TRUE(st) << st.error().message();
    (void)!::write(gate[1], "g", 1);
    ::close(gate[1]);
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(CgroupUnified, DeviceFilterProgramEnforces) {
    KISTE_REQUIRE_ROOT();
    auto h = unified_here();
    if (!h) GTEST_SKIP() << "no cgroup2 mount";
    const std::string base = h->base + fmt::format("/kiste-cgtest-{}-dev", ::getpid());
    ASSERT_EQ(::mkdir(base.c_str(), 0755), 0) << base;
    ScopeExit rm_base([&] { remove_test_base(base); });
    HostCgroups host;
    host.layout = Layout::V2;
    host.hierarchies = {Hierarchy{true, {}, h->mountpoint, base}};
    auto mr = make_manager_for(host, "c1", {});
    ASSERT_TRUE(mr);
    auto& m = *mr;
    ASSERT_TRUE(m->create());
    ScopeExit cleanup([&] { (void)m->destroy(); });
    CgroupConfig cfg;
    cfg.settings = {{1, "devices.deny", "a", "t:1"},
                    {1, "devices.allow", "c 1:3 rwm", "t:2"},  // /dev/null
                    {2, "devices.allow", "c 1:9 r", "t:3"}};   // /dev/urandom, read only
    auto st = m->apply_settings(cfg);
    ASSERT_TRUE(st) << st.error().message();

    const std::vector<std::pair<const char*, int>> probes = {{"/dev/null", O_RDWR},
                                                             {"/dev/zero", O_RDONLY},
                                                             {"/dev/urandom", O_RDONLY},
                                                             {"/dev/urandom", O_WRONLY}};
    EXPECT_EQ(opens_in(*m, probes), 0b0101);  // null rw, urandom r; zero, urandom w refused

    // A live update replaces the program (the old one is detached).
    cfg.settings = {{1, "devices.deny", "a", "t:1"}, {1, "devices.allow", "c 1:5 r", "t:2"}};
    st = m->apply_settings(cfg);
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(opens_in(*m, probes), 0b0010);  // only /dev/zero now
}

}  // namespace
}  // namespace kiste::cgroup
