// What an ENOSPC from /dev/ptmx tells the user: which limit, who holds the
// ptys, how to raise it (no root needed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "manager/ptys.hpp"
#include "state/container_state.hpp"

namespace kiste::manager {
namespace {

namespace fs = std::filesystem;

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(PtyLimitMessage, NamesTheKernelLimitWhatKisteHoldsAndHowToRaiseIt) {
    PtyUsage u{.max = 4096, .reserve = 1024, .in_use = 4096, .containers = 819, .held = 4095};
    const std::string m = pty_limit_message(u);
    EXPECT_TRUE(has(m, "kernel.pty.max = 4096")) << m;
    EXPECT_TRUE(has(m, "4096 in use (/proc/sys/kernel/pty/nr)")) << m;
    EXPECT_TRUE(has(m, "kiste's 819 running containers hold 4095 of them")) << m;
    EXPECT_TRUE(has(m, "sysctl kernel.pty.max=8192")) << m;
    EXPECT_TRUE(has(m, "lxc.tty.max")) << m;
}

TEST(PtyLimitMessage, NamesTheReserveOfOtherDevptsInstances) {
    PtyUsage u{.max = 4096, .reserve = 1024, .in_use = 3072, .containers = 1, .held = 5};
    const std::string m = pty_limit_message(u);
    EXPECT_TRUE(has(m, "kernel.pty.reserve = 1024")) << m;
    EXPECT_TRUE(has(m, "sysctl kernel.pty.max=8192")) << m;
    EXPECT_TRUE(has(m, "kiste's 1 running container holds 5")) << m;
}

TEST(PtyLimitMessage, PointsAtTheDevptsMountWhenTheKernelLimitIsFarAway) {
    PtyUsage u{.max = 4096, .reserve = 1024, .in_use = 10, .containers = 0, .held = 0};
    const std::string m = pty_limit_message(u);
    EXPECT_TRUE(has(m, "kernel.pty.max = 4096 is not reached")) << m;
    EXPECT_TRUE(has(m, "max= mount option")) << m;
}

TEST(PtyLimitMessage, SaysSoWhenProcCannotBeRead) {
    const std::string m = pty_limit_message(PtyUsage{});
    EXPECT_TRUE(has(m, "cannot be read")) << m;
}

class PtyUsageRead : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("kiste-pty-" + std::to_string(::getpid()));
        fs::create_directories(root_ / "proc");
        fs::create_directories(root_ / "run");
    }
    void TearDown() override { fs::remove_all(root_); }
    static void write(const fs::path& p, const std::string& text) {
        fs::create_directories(p.parent_path());
        std::ofstream(p) << text;
    }
    // A state record whose monitor is `pid` (alive only with its real start time).
    void record(const fs::path& dir, pid_t pid, uint64_t start, const std::string& ttys) {
        write(root_ / "run" / dir / "state.json",
              fmt::format(R"({{"state":"RUNNING","owner_pid":{},"owner_start_time":{},)"
                          R"("ttys":{}}})",
                          pid, start, ttys));
    }
    fs::path root_;
};

TEST_F(PtyUsageRead, ReadsProcAndCountsTheLiveMonitorsPtys) {
    write(root_ / "proc/max", "4096\n");
    write(root_ / "proc/reserve", "1024\n");
    write(root_ / "proc/nr", "4090\n");
    const pid_t me = ::getpid();
    const uint64_t start = state::process_start_time(me);
    ASSERT_NE(start, 0u);
    record("c1", me, start, R"(["console","tty1","tty2","tty3","tty4"])");
    record("p-0123abcd/c2", me, start, R"(["console","tty1"])");
    record("dead", me, start + 1, R"(["console"])");  // another process's record
    write(root_ / "run/broken/state.json", "{not json");
    fs::create_directories(root_ / "run/empty");
    const PtyUsage u = read_pty_usage(root_ / "proc", root_ / "run");
    EXPECT_EQ(u.max, 4096);
    EXPECT_EQ(u.reserve, 1024);
    EXPECT_EQ(u.in_use, 4090);
    EXPECT_EQ(u.containers, 2u);
    EXPECT_EQ(u.held, 7u);
}

TEST_F(PtyUsageRead, MissingFilesReadAsUnknown) {
    const PtyUsage u = read_pty_usage(root_ / "nowhere", root_ / "nowhere");
    EXPECT_EQ(u.max, -1);
    EXPECT_EQ(u.in_use, -1);
    EXPECT_EQ(u.containers, 0u);
}

}  // namespace
}  // namespace kiste::manager
