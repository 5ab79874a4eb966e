// The controller writers (cgroup/v1/controllers.hpp, cgroup/v2/controllers.hpp)
// write a cgroup's files from typed Resources; here against a temp dir that
// holds the files a kernel would show.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cgroup/resources.hpp"
#include "cgroup/v1/controllers.hpp"
#include "cgroup/v2/controllers.hpp"

namespace kiste::cgroup {
namespace {

namespace fs = std::filesystem;

class Writers : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("kiste-writers-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    void files(std::initializer_list<const char*> names) {
        for (const char* n : names) std::ofstream(root_ / n) << "";
    }
    std::string get(const char* name) {
        std::ifstream f(root_ / name);
        return std::string(std::istreambuf_iterator<char>(f), {});
    }
    FileWriter writer() { return FileWriter(*open_dir(root_.string()), notes_); }

    fs::path root_;
    std::vector<std::string> notes_;
};

Resources typical() {
    Resources r;
    r.memory_limit = 256LL << 20;
    r.memory_swap_limit = 512LL << 20;
    r.memory_reservation = 128LL << 20;
    r.cpu_shares = 1024;
    r.cpu_quota = 50000;
    r.cpu_period = 100000;
    r.pids_limit = -1;
    r.cpuset_cpus = "0-1";
    r.blkio_weight = 500;
    r.throttle_read_bps.push_back({8, 0, 1048576});
    r.hugepage_limits.push_back({"2MB", -1});
    r.net_cls_classid = 0x100001;
    return r;
}

TEST_F(Writers, V1FilesFromResources) {
    files({"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
           "cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us", "pids.max", "cpuset.cpus",
           "blkio.weight", "blkio.throttle.read_bps_device", "hugetlb.2MB.limit_in_bytes",
           "net_cls.classid"});
    const Resources r = typical();
    for (auto apply : {v1::memory::apply, v1::cpu::apply, v1::pids::apply, v1::cpuset::apply,
                       v1::blkio::apply, v1::hugetlb::apply, v1::net_cls::apply}) {
        auto w = writer();
        ASSERT_TRUE(apply(w, r));
    }
    EXPECT_EQ(get("memory.limit_in_bytes"), "268435456");
    EXPECT_EQ(get("memory.memsw.limit_in_bytes"), "536870912");
    EXPECT_EQ(get("memory.soft_limit_in_bytes"), "134217728");
    EXPECT_EQ(get("cpu.shares"), "1024");
    EXPECT_EQ(get("cpu.cfs_period_us"), "100000");
    EXPECT_EQ(get("cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(get("pids.max"), "max");
    EXPECT_EQ(get("cpuset.cpus"), "0-1");
    EXPECT_EQ(get("blkio.weight"), "500");
    EXPECT_EQ(get("blkio.throttle.read_bps_device"), "8:0 1048576");
    EXPECT_EQ(get("hugetlb.2MB.limit_in_bytes"), "-1");
    EXPECT_EQ(get("net_cls.classid"), "1048577");
    EXPECT_TRUE(notes_.empty());
}

// v2-form values on v1: weights scaled, swap added to the memory limit.
TEST_F(Writers, V1ConvertsV2FormValues) {
    files({"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "cpu.shares", "blkio.weight"});
    Resources r;
    r.memory_limit = 256LL << 20;
    r.memory_swap = 256LL << 20;
    r.cpu_weight = 100;
    r.io_weight = 10000;
    for (auto apply : {v1::memory::apply, v1::cpu::apply, v1::blkio::apply}) {
        auto w = writer();
        ASSERT_TRUE(apply(w, r));
    }
    EXPECT_EQ(get("memory.memsw.limit_in_bytes"), "536870912");
    EXPECT_EQ(get("cpu.shares"), "2597");
    EXPECT_EQ(get("blkio.weight"), "1000");
}

// A file the cgroup lacks is a note naming the value's origin, not an error.
TEST_F(Writers, MissingFileIsANoteWithTheOrigin) {
    files({"pids.max"});
    Resources r;
    r.blkio_weight = 500;
    r.origins["blkio_weight"] = {1, "blkio.weight", "500", "talk.conf:9"};
    auto w = writer();
    ASSERT_TRUE(v1::blkio::apply(w, r));
    ASSERT_EQ(notes_.size(), 1U);
    EXPECT_EQ(notes_[0],
              "talk.conf:9: lxc.cgroup.blkio.weight = 500: the blkio controller has no "
              "blkio.weight file on this host (no CFQ/BFQ I/O scheduler); not applied");
}

TEST_F(Writers, UnmountedControllerFailsNamingTheValue) {
    auto w = FileWriter::unmounted(
        "the net_cls controller is not mounted on this cgroup hybrid host", notes_);
    Resources r;
    r.net_cls_classid = 1;
    r.origins["net_cls_classid"] = {1, "net_cls.classid", "1", "config:9"};
    auto st = v1::net_cls::apply(w, r);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("config:9: lxc.cgroup.net_cls.classid = 1"),
              std::string::npos)
        << st.error().message();
    EXPECT_NE(st.error().message().find("not mounted"), std::string::npos);
}

TEST_F(Writers, V2FilesFromResources) {
    files({"memory.max", "memory.swap.max", "memory.low", "cpu.weight", "cpu.max", "pids.max",
           "cpuset.cpus", "io.weight", "io.max", "hugetlb.2MB.max"});
    Resources r = typical();
    r.memory_swappiness = 10;
    r.origins["memory_swappiness"] = {1, "memory.swappiness", "10", "c:9"};
    for (auto apply : {v2::memory::apply, v2::cpu::apply, v2::pids::apply, v2::cpuset::apply,
                       v2::io::apply, v2::hugetlb::apply, v2::net_cls::apply}) {
        auto w = writer();
        ASSERT_TRUE(apply(w, r));
    }
    EXPECT_EQ(get("memory.max"), "268435456");
    EXPECT_EQ(get("memory.swap.max"), "268435456");  // memsw minus memory
    EXPECT_EQ(get("memory.low"), "134217728");
    EXPECT_EQ(get("cpu.weight"), "39");  // shares 1024
    EXPECT_EQ(get("cpu.max"), "50000 100000");
    EXPECT_EQ(get("pids.max"), "max");
    EXPECT_EQ(get("cpuset.cpus"), "0-1");
    EXPECT_EQ(get("io.weight"), "default 4950");
    EXPECT_EQ(get("io.max"), "8:0 rbps=1048576");
    EXPECT_EQ(get("hugetlb.2MB.max"), "max");
    // No per-cgroup swappiness and no net_cls on v2: notes.
    ASSERT_EQ(notes_.size(), 2U);
    EXPECT_EQ(notes_[0].find("c:9: lxc.cgroup.memory.swappiness = 10: not applied on this cgroup "
                             "v2 host"),
              0U)
        << notes_[0];
    EXPECT_NE(notes_[1].find("net_cls"), std::string::npos);
}

TEST_F(Writers, V2PrefersItsOwnForm) {
    files({"cpu.weight", "memory.swap.max", "cpu.max"});
    Resources r;
    r.cpu_shares = 1024;
    r.cpu_weight = 77;
    r.memory_swap = 1 << 20;
    r.memory_swap_limit = 1 << 30;
    r.cpu_period = 50000;  // a period alone: no quota
    for (auto apply : {v2::memory::apply, v2::cpu::apply}) {
        auto w = writer();
        ASSERT_TRUE(apply(w, r));
    }
    EXPECT_EQ(get("cpu.weight"), "77");
    EXPECT_EQ(get("memory.swap.max"), "1048576");
    EXPECT_EQ(get("cpu.max"), "max 50000");
}

}  // namespace
}  // namespace kiste::cgroup
