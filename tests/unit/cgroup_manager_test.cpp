// The managers over fake cgroupfs trees in a temp dir: a hook stands in for
// the kernel and fills each new cgroup dir with the control files it would
// have. (rmdir of such a dir fails, so destroy is left to the root tests.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cgroup/manager_impl.hpp"

namespace kiste::cgroup {
namespace {

namespace fs = std::filesystem;

void put(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

std::string get(const fs::path& p) {
    std::ifstream f(p);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

// What the kernel puts into a new cgroup of each hierarchy.
void fake_kernel(const std::string& dir, const Hierarchy& h) {
    const fs::path d = dir;
    put(d / "cgroup.procs", "");
    if (h.v2) {
        put(d / "cgroup.controllers", "cpu memory pids");
        put(d / "cgroup.subtree_control", "");
        put(d / "cgroup.freeze", "0");
        put(d / "cgroup.events", "populated 0\nfrozen 1\n");
        for (const char* f : {"memory.max", "memory.swap.max", "cpu.weight", "cpu.max", "pids.max"})
            put(d / f, "");
        put(d / "memory.current", "8192");
        put(d / "memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
        put(d / "cpu.stat", "usage_usec 1500\nuser_usec 1000\n");
        put(d / "pids.current", "2");
        return;
    }
    put(d / "tasks", "");
    if (h.has("cpuset")) {
        put(d / "cpuset.cpus", "");
        put(d / "cpuset.mems", "");
    }
    if (h.has("memory")) {
        put(d / "memory.limit_in_bytes", "9223372036854771712");
        put(d / "memory.memsw.limit_in_bytes", "9223372036854771712");
        put(d / "memory.usage_in_bytes", "4096");
        put(d / "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    }
    if (h.has("freezer")) put(d / "freezer.state", "THAWED");
    if (h.has("pids")) {
        put(d / "pids.max", "max");
        put(d / "pids.current", "3");
    }
    if (h.has("cpuacct")) put(d / "cpuacct.usage", "123456");
}

class FakeTree : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-cgroup-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        root_ = tmpl;
    }
    void TearDown() override { fs::remove_all(root_); }

    // A hybrid host like this machine's (fewer hierarchies), our cgroup "own".
    HostCgroups hybrid(const std::string& own = "own") {
        HostCgroups host;
        host.layout = Layout::Hybrid;
        auto add = [&](std::string mount, std::vector<std::string> ctrls, bool v2) {
            Hierarchy h{v2, std::move(ctrls), (root_ / mount).string(),
                        (root_ / mount / own).string()};
            fs::create_directories(h.base);
            fake_kernel(h.base, h);
            host.hierarchies.push_back(std::move(h));
        };
        add("systemd", {"name=systemd"}, false);
        add("cpuset", {"cpuset"}, false);
        add("cpu,cpuacct", {"cpu", "cpuacct"}, false);
        add("memory", {"memory"}, false);
        add("freezer", {"freezer"}, false);
        add("pids", {"pids"}, false);
        add("unified", {}, true);
        put(root_ / "cpuset" / own / "cpuset.cpus", "0-1");
        put(root_ / "cpuset" / own / "cpuset.mems", "0");
        return host;
    }

    HostCgroups v2(const std::string& own = "own") {
        HostCgroups host;
        host.layout = Layout::V2;
        Hierarchy h{true, {}, (root_ / "v2").string(), (root_ / "v2" / own).string()};
        fs::create_directories(h.base);
        fake_kernel(h.base, h);
        put(fs::path(h.base) / "cgroup.controllers", "cpu memory pids");
        host.hierarchies.push_back(std::move(h));
        return host;
    }

    std::unique_ptr<Manager> make(const HostCgroups& host, const CgroupConfig& cfg = {},
                                  const std::string& name = "c1") {
        auto m = make_manager_for(host, name, cfg, fake_kernel);
        EXPECT_TRUE(m) << m.error().message();
        return m ? std::move(*m) : nullptr;
    }

    fs::path root_;
};

TEST_F(FakeTree, HybridCreateInTwoStepsMakesV2FirstThenV1) {
    auto m = make(hybrid());
    ASSERT_TRUE(m);
    ASSERT_TRUE(m->create_v2());
    const auto paths = m->paths();
    const auto hs = m->hierarchies();
    ASSERT_EQ(hs.size(), paths.size());
    for (size_t i = 0; i < hs.size(); ++i) {
        EXPECT_EQ(fs::is_directory(paths[i]), hs[i].v2) << paths[i];
        // The late join opens the tasks file relative to the mountpoint.
        EXPECT_TRUE(hs[i].join_dir.starts_with(hs[i].mountpoint + "/")) << hs[i].join_dir;
    }
    ASSERT_TRUE(m->create_v1());
    for (const auto& p : paths) EXPECT_TRUE(fs::is_directory(p)) << p;
    EXPECT_EQ(get(root_ / "cpuset/own/kiste.payload/c1/cpuset.cpus"), "0-1");
}

TEST_F(FakeTree, HybridCreatePlacesBelowOwnCgroup) {
    auto m = make(hybrid());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->layout(), Layout::Hybrid);
    ASSERT_TRUE(m->create()) << m->create().error().message();
    auto paths = m->paths();
    ASSERT_EQ(paths.size(), 7u);
    EXPECT_EQ(paths[0], (root_ / "systemd/own/kiste.payload/c1").string());
    EXPECT_EQ(paths[6], (root_ / "unified/own/kiste.payload/c1").string());
    for (const auto& p : paths) EXPECT_TRUE(fs::is_directory(p)) << p;
    // v1 cpusets start empty: both levels inherit from our own cgroup.
    EXPECT_EQ(get(root_ / "cpuset/own/kiste.payload/cpuset.cpus"), "0-1");
    EXPECT_EQ(get(root_ / "cpuset/own/kiste.payload/c1/cpuset.cpus"), "0-1");
    EXPECT_EQ(get(root_ / "cpuset/own/kiste.payload/c1/cpuset.mems"), "0");
    auto hs = m->hierarchies();
    ASSERT_EQ(hs.size(), 7u);
    EXPECT_EQ(hs[0].mount_name, "systemd");
    EXPECT_EQ(hs[2].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
    EXPECT_TRUE(hs[6].v2);
    auto fd = m->open_v2_dir();
    ASSERT_TRUE(fd);
    EXPECT_EQ(*fd, -1);
}

TEST_F(FakeTree, ApplySettingsWritesEachHierarchy) {
    auto m = make(hybrid());
    ASSERT_TRUE(m && m->create());
    CgroupConfig cfg;
    cfg.settings = {{1, "memory.limit_in_bytes", "512M", "cfg:1"},
                    {1, "pids.max", "-1", "cfg:2"},
                    {1, "cpuset.cpus", "1", "cfg:3"},
                    {1, "cpu.shares", "512", "cfg:4"},
                    {2, "memory.max", "1G", "cfg:5"}};  // the v1 key wins on this host
    // The fake has no cpu.shares: reported and skipped, the other writes happen.
    ASSERT_TRUE(m->apply_settings(cfg));
    const auto c1 = fs::path("own/kiste.payload/c1");
    EXPECT_EQ(get(root_ / "memory" / c1 / "memory.limit_in_bytes"), "536870912");
    EXPECT_EQ(get(root_ / "pids" / c1 / "pids.max"), "max");
    EXPECT_EQ(get(root_ / "cpuset" / c1 / "cpuset.cpus"), "1");
    ASSERT_EQ(m->warnings().size(), 2u);  // memory.max not translated; no cpu.shares
    EXPECT_NE(m->warnings()[1].find("cfg:4: lxc.cgroup.cpu.shares = 512: the cpu controller has "
                                    "no cpu.shares file on this host; not applied"),
              std::string::npos)
        << m->warnings()[1];
    put(root_ / "cpu,cpuacct" / c1 / "cpu.shares", "");
    ASSERT_TRUE(m->apply_settings(cfg));
    EXPECT_EQ(get(root_ / "cpu,cpuacct" / c1 / "cpu.shares"), "512");
    EXPECT_EQ(m->warnings().size(), 3u);  // "memory.max not translated", once per apply
}

TEST_F(FakeTree, ApplySettingsErrorsNameTheSetting) {
    auto m = make(hybrid());
    ASSERT_TRUE(m && m->create());
    CgroupConfig unmounted;
    unmounted.settings = {{1, "net_cls.classid", "0x100001", "/var/lib/kiste/c1/config:9"}};
    auto st = m->apply_settings(unmounted);
    ASSERT_FALSE(st);
    auto msg = st.error().message();
    EXPECT_NE(msg.find("/var/lib/kiste/c1/config:9: lxc.cgroup.net_cls.classid = 0x100001"),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("net_cls controller is not mounted"), std::string::npos) << msg;

    // A file the host lacks is reported, not fatal (MissingFilesAreReportedNotFatal).
    CgroupConfig missing;
    missing.settings = {{1, "memory.no_such_file", "7", "config:3"}};
    ASSERT_TRUE(m->apply_settings(missing));
    ASSERT_EQ(m->warnings().size(), 1u);
    EXPECT_EQ(m->warnings()[0],
              "config:3: lxc.cgroup.memory.no_such_file = 7: the memory controller has no "
              "memory.no_such_file file on this host; not applied");
}

// The talk's `lxc.cgroup.blkio.weight = 500` on a kernel without CFQ and
// BFQ (no weight file at all): a warning naming the key and why, the start
// goes on; the writes after it still happen.
TEST_F(FakeTree, MissingFilesAreReportedNotFatal) {
    HostCgroups host = hybrid();
    Hierarchy blkio{false, {"blkio"}, (root_ / "blkio").string(), (root_ / "blkio/own").string()};
    fs::create_directories(blkio.base);
    fake_kernel(blkio.base, blkio);
    host.hierarchies.push_back(std::move(blkio));
    auto m = make(host);
    ASSERT_TRUE(m && m->create());
    CgroupConfig cfg;
    cfg.settings = {{1, "blkio.weight", "500", "talk.conf:9"},
                    {1, "memory.memsw.limit_in_bytes", "1G", "talk.conf:10"},
                    {1, "pids.max", "20", "talk.conf:11"}};
    const auto c1 = fs::path("own/kiste.payload/c1");
    fs::remove(root_ / "memory" / c1 / "memory.memsw.limit_in_bytes");
    auto st = m->apply_settings(cfg);
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(get(root_ / "pids" / c1 / "pids.max"), "20");
    ASSERT_EQ(m->warnings().size(), 2u);  // memsw is written first (its rank)
    EXPECT_EQ(m->warnings()[1],
              "talk.conf:9: lxc.cgroup.blkio.weight = 500: the blkio controller has no "
              "blkio.weight file on this host (no CFQ/BFQ I/O scheduler); not applied");
    EXPECT_NE(m->warnings()[0].find("talk.conf:10: lxc.cgroup.memory.memsw.limit_in_bytes = 1G: "
                                    "the memory controller has no memory.memsw.limit_in_bytes "
                                    "file on this host (swap accounting is off"),
              std::string::npos)
        << m->warnings()[0];

    // With BFQ the weight goes to blkio.bfq.weight, as before.
    put(root_ / "blkio" / c1 / "blkio.bfq.weight", "");
    ASSERT_TRUE(m->apply_settings(cfg));
    EXPECT_EQ(get(root_ / "blkio" / c1 / "blkio.bfq.weight"), "500");
}

// The same on v2: io.weight missing (no io.cost, no BFQ) or a controller
// that is not enabled.
TEST_F(FakeTree, V2MissingFilesAreReportedNotFatal) {
    auto m = make(v2());
    ASSERT_TRUE(m && m->create());
    CgroupConfig cfg;
    cfg.settings = {{1, "blkio.weight", "500", "talk.conf:9"}, {2, "pids.max", "20", "c:2"}};
    auto st = m->apply_settings(cfg);
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(get(root_ / "v2/own/kiste.payload/c1/pids.max"), "20");
    ASSERT_EQ(m->warnings().size(), 1u);
    const std::string& w = m->warnings()[0];
    EXPECT_NE(w.find("talk.conf:9: lxc.cgroup.blkio.weight = 500 (as io.weight): the io "
                     "controller has no io.weight file on this host (the io controller is not "
                     "enabled for"),
              std::string::npos)
        << w;
    EXPECT_TRUE(w.ends_with("; not applied")) << w;
}

TEST_F(FakeTree, FreezeWritesFreezerState) {
    auto m = make(hybrid());
    ASSERT_TRUE(m && m->create());
    const auto state = root_ / "freezer/own/kiste.payload/c1/freezer.state";
    ASSERT_TRUE(m->freeze());
    EXPECT_EQ(get(state), "FROZEN");
    EXPECT_TRUE(*m->frozen());
    ASSERT_TRUE(m->thaw());
    EXPECT_EQ(get(state), "THAWED");
    EXPECT_FALSE(*m->frozen());
}

TEST_F(FakeTree, GetSetAndStats) {
    auto m = make(hybrid());
    ASSERT_TRUE(m && m->create());
    ASSERT_TRUE(m->set("memory.limit_in_bytes", "1G"));
    EXPECT_EQ(*m->get("memory.limit_in_bytes"), "1G");
    EXPECT_FALSE(m->set("freezer.state", "bogus"));
    EXPECT_FALSE(m->get("../memory.limit_in_bytes"));
    auto bad = m->get("hugetlb.2MB.limit_in_bytes");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message().find("hugetlb controller is not mounted"), std::string::npos);
    put(root_ / "memory/own/kiste.payload/c1/memory.limit_in_bytes", "9223372036854771712");
    auto st = m->stats();
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(st->memory_usage, 4096u);
    EXPECT_EQ(st->memory_limit, 0u);  // v1's "unlimited"
    EXPECT_EQ(st->oom_kills, 2u);
    EXPECT_EQ(st->pids, 3u);
    EXPECT_EQ(st->cpu_usage_ns, 123456u);
}

TEST_F(FakeTree, PidsAreTheUnionOfAllHierarchiesAndSubdirs) {
    auto m = make(hybrid());
    ASSERT_TRUE(m && m->create());
    const auto c1 = fs::path("own/kiste.payload/c1");
    put(root_ / "memory" / c1 / "cgroup.procs", "11\n12\n");
    fs::create_directories(root_ / "systemd" / c1 / "init.scope");
    put(root_ / "systemd" / c1 / "init.scope" / "cgroup.procs", "12\n13\n");
    auto p = m->pids();
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, (std::vector<pid_t>{11, 12, 13}));
}

TEST_F(FakeTree, InnerDirAndCustomPlacement) {
    CgroupConfig cfg;
    cfg.dir_container = "ct/c1";
    cfg.dir_monitor = "mon/c1";
    cfg.dir_container_inner = "ns";
    auto m = make(hybrid(), cfg);
    ASSERT_TRUE(m && m->create());
    EXPECT_TRUE(fs::is_directory(root_ / "memory/own/ct/c1/ns"));
    auto paths = m->paths();
    ASSERT_EQ(paths.size(), 14u);  // 7 outer, then 7 inner
    EXPECT_EQ(paths[3], (root_ / "memory/own/ct/c1").string());
    EXPECT_EQ(paths[10], (root_ / "memory/own/ct/c1/ns").string());
    ASSERT_TRUE(m->attach(::getpid()));
    EXPECT_EQ(get(root_ / "memory/own/ct/c1/ns/cgroup.procs"), std::to_string(::getpid()));
    EXPECT_EQ(get(root_ / "memory/own/ct/c1/cgroup.procs"), "");
    // Limits go to the outer cgroup, out of the container's reach.
    CgroupConfig lim = cfg;
    lim.settings = {{1, "memory.limit_in_bytes", "64M", "c:1"}};
    ASSERT_TRUE(m->apply_settings(lim));
    EXPECT_EQ(get(root_ / "memory/own/ct/c1/memory.limit_in_bytes"), "67108864");
}

TEST_F(FakeTree, ContainerGoesBesideOwnMonitorCgroup) {
    auto m = make(hybrid("own/kiste.monitor/c1"));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->paths()[3], (root_ / "memory/own/kiste.payload/c1").string());
}

TEST_F(FakeTree, ReopenFromRecordedPaths) {
    auto m = make(hybrid());
    ASSERT_TRUE(m && m->create());
    std::vector<CgroupMount> mounts;
    for (const auto& h : m->hierarchies()) {
        CgroupMount cm;
        cm.v2 = h.v2;
        cm.mountpoint = (root_ / h.mount_name).string();
        cm.super_opts = {"rw"};
        for (const auto& c : h.controllers) cm.super_opts.push_back(c);
        mounts.push_back(cm);
    }
    auto again = open_manager_for(mounts, m->paths());
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ((*again)->layout(), Layout::Hybrid);
    EXPECT_EQ((*again)->paths(), m->paths());
    ASSERT_TRUE((*again)->freeze());
    EXPECT_EQ(get(root_ / "freezer/own/kiste.payload/c1/freezer.state"), "FROZEN");
    EXPECT_FALSE(open_manager_for(mounts, {"/tmp/not-a-cgroup"}));
    EXPECT_FALSE(open_manager_for(mounts, {(root_ / "memory/own/kiste.payload/gone").string()}));
}

TEST_F(FakeTree, V2CreateEnablesControllersDownToTheContainer) {
    auto m = make(v2());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->layout(), Layout::V2);
    ASSERT_TRUE(m->create()) << m->create().error().message();
    // One write per controller; the fake keeps the last.
    EXPECT_EQ(get(root_ / "v2/own/cgroup.subtree_control"), "+pids");
    EXPECT_EQ(get(root_ / "v2/own/kiste.payload/cgroup.subtree_control"), "+pids");
    EXPECT_EQ(get(root_ / "v2/own/kiste.payload/c1/cgroup.subtree_control"), "");
    auto fd = m->open_v2_dir();
    ASSERT_TRUE(fd);
    EXPECT_GE(*fd, 0);
    UniqueFd owned(*fd);  // the caller's
    ASSERT_TRUE(m->attach(::getpid()));
    EXPECT_EQ(get(root_ / "v2/own/kiste.payload/c1/cgroup.procs"), std::to_string(::getpid()));
}

TEST_F(FakeTree, V2TranslatesV1Settings) {
    auto m = make(v2());
    ASSERT_TRUE(m && m->create());
    CgroupConfig cfg;
    cfg.settings = {{1, "memory.limit_in_bytes", "512M", "c:1"},
                    {1, "cpu.shares", "1024", "c:2"},
                    {1, "memory.swappiness", "0", "c:3"},
                    {2, "pids.max", "50", "c:5"}};
    ASSERT_TRUE(m->apply_settings(cfg));
    const auto c1 = root_ / "v2/own/kiste.payload/c1";
    EXPECT_EQ(get(c1 / "memory.max"), "536870912");
    EXPECT_EQ(get(c1 / "cpu.weight"), "39");
    EXPECT_EQ(get(c1 / "pids.max"), "50");
    ASSERT_EQ(m->warnings().size(), 1u);
    EXPECT_NE(m->warnings()[0].find("swappiness"), std::string::npos);
}

TEST_F(FakeTree, V2FreezeAndMissingController) {
    auto m = make(v2());
    ASSERT_TRUE(m && m->create());
    const auto c1 = root_ / "v2/own/kiste.payload/c1";
    ASSERT_TRUE(m->freeze());
    EXPECT_EQ(get(c1 / "cgroup.freeze"), "1");
    ASSERT_TRUE(m->thaw());
    EXPECT_EQ(get(c1 / "cgroup.freeze"), "0");
    auto st = m->set("io.weight", "100");
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("the io controller is not enabled"), std::string::npos)
        << st.error().message();
    auto stats = m->stats();
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->memory_usage, 8192u);
    EXPECT_EQ(stats->oom_kills, 1u);
    EXPECT_EQ(stats->cpu_usage_ns, 1500000u);
    EXPECT_EQ(stats->pids, 2u);
}

}  // namespace
}  // namespace kiste::cgroup
