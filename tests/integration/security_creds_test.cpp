// Credentials, capabilities and rlimits applied for real, in a forked child
// that reports what /proc/self/status then says through a pipe.
#include <gtest/gtest.h>

#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "security/caps.hpp"
#include "security/rlimits.hpp"

namespace kiste::security {
namespace {

struct ChildResult {
    int status = -1;
    std::string out;
};

// Runs `body` in a forked child with stdout on a pipe; `body` writes its
// report to fd 1 and returns an exit code (or execs).
ChildResult in_child(const std::function<int()>& body) {
    int p[2];
    if (::pipe(p) < 0) return {};
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
        ::dup2(p[1], STDOUT_FILENO);
        ::close(p[1]);
        ::_exit(body());
    }
    ::close(p[1]);
    ChildResult r;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    ::waitpid(pid, &r.status, 0);
    return r;
}

void say(const std::string& s) {
    (void)!::write(STDOUT_FILENO, s.data(), s.size());
}

std::string read_status() {
    std::ifstream f("/proc/self/status");
    return std::string(std::istreambuf_iterator<char>(f), {});
}

// "CapBnd:\t000001fffeffffff" lines -> {"CapBnd": 0x1fffeffffff, ...}; Uid/Gid/
// Groups/NoNewPrivs are kept as text.
std::map<std::string, std::string> parse_status(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string v = line.substr(colon + 1);
        v.erase(0, v.find_first_not_of(" \t"));
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
        out[line.substr(0, colon)] = v;
    }
    return out;
}

uint64_t mask(const std::map<std::string, std::string>& st, const std::string& key) {
    auto it = st.find(key);
    return it == st.end() ? ~uint64_t{0} : std::stoull(it->second, nullptr, 16);
}

class SecurityCreds : public ::testing::Test {
protected:
    void SetUp() override {
        RealSys sys;
        if (::geteuid() != 0) GTEST_SKIP() << "needs root";
        auto c = current_caps(sys);
        ASSERT_TRUE(c) << c.error().message();
        host_ = *c;
    }
    CapabilitySets host_;
};

TEST_F(SecurityCreds, DropSysAdminAndSysModule) {
    RealSys sys;
    const uint64_t drop = cap_bit(CAP_SYS_ADMIN) | cap_bit(CAP_SYS_MODULE);
    ProcessSpec p;
    SecurityConfig sec;
    sec.caps = cap_sets_drop(drop);
    auto r = in_child([&] {
        auto st = apply_credentials_and_caps(sys, p, sec);
        if (!st) {
            say("error: " + st.error().message());
            return 1;
        }
        say(read_status());
        return 0;
    });
    ASSERT_EQ(r.status, 0) << r.out;
    auto st = parse_status(r.out);
    EXPECT_EQ(mask(st, "CapBnd"), host_.bounding & ~drop);
    EXPECT_EQ(mask(st, "CapPrm"), host_.permitted & ~drop);
    EXPECT_EQ(mask(st, "CapEff"), host_.permitted & ~drop);
    EXPECT_EQ(mask(st, "CapInh"), 0u);
    EXPECT_EQ(mask(st, "CapAmb"), 0u);
    EXPECT_EQ(st["NoNewPrivs"], "0");
}

TEST_F(SecurityCreds, DroppedCapsStayGoneAcrossExecAsRoot) {
    RealSys sys;
    const uint64_t drop = cap_bit(CAP_SYS_ADMIN) | cap_bit(CAP_SYS_MODULE);
    ProcessSpec p;
    SecurityConfig sec;
    sec.caps = cap_sets_drop(drop);
    auto r = in_child([&] {
        if (auto st = apply_credentials_and_caps(sys, p, sec); !st) return 1;
        ::execl("/bin/cat", "cat", "/proc/self/status", nullptr);
        return 127;
    });
    ASSERT_EQ(r.status, 0) << r.out;
    auto st = parse_status(r.out);
    // Root regains its permitted and effective sets from the bounding set at exec.
    EXPECT_EQ(mask(st, "CapBnd"), host_.bounding & ~drop);
    EXPECT_EQ(mask(st, "CapEff"), host_.bounding & ~drop);
    EXPECT_EQ(mask(st, "CapPrm"), host_.bounding & ~drop);
}

TEST_F(SecurityCreds, KeepTwoAsUid1000SurvivesExec) {
    RealSys sys;
    const uint64_t keep = cap_bit(CAP_NET_BIND_SERVICE) | cap_bit(CAP_CHOWN);
    ProcessSpec p;
    p.uid = 1000;
    p.gid = 1000;
    p.additional_gids = {1001, 1002};
    SecurityConfig sec;
    sec.caps = cap_sets_keep(keep);
    sec.no_new_privs = true;
    auto r = in_child([&] {
        auto st = apply_credentials_and_caps(sys, p, sec);
        if (!st) {
            say("error: " + st.error().message());
            return 1;
        }
        ::execl("/bin/cat", "cat", "/proc/self/status", nullptr);
        return 127;
    });
    ASSERT_EQ(r.status, 0) << r.out;
    auto st = parse_status(r.out);
    EXPECT_EQ(st["Uid"], "1000\t1000\t1000\t1000");
    EXPECT_EQ(st["Gid"], "1000\t1000\t1000\t1000");
    EXPECT_EQ(st["Groups"], "1001 1002");
    EXPECT_EQ(mask(st, "CapBnd"), keep);
    EXPECT_EQ(mask(st, "CapInh"), keep);
    EXPECT_EQ(mask(st, "CapAmb"), keep);
    EXPECT_EQ(mask(st, "CapPrm"), keep);
    EXPECT_EQ(mask(st, "CapEff"), keep);
    EXPECT_EQ(st["NoNewPrivs"], "1");
}

TEST_F(SecurityCreds, NoCapsConfigAndAUidChangeDropsThemAsTheKernelDoes) {
    RealSys sys;
    ProcessSpec p;
    p.uid = 1000;
    p.gid = 1000;
    SecurityConfig sec;  // caps: nullopt
    auto r = in_child([&] {
        if (auto st = apply_credentials_and_caps(sys, p, sec); !st) return 1;
        say(read_status());
        return 0;
    });
    ASSERT_EQ(r.status, 0) << r.out;
    auto st = parse_status(r.out);
    EXPECT_EQ(mask(st, "CapEff"), 0u);
    EXPECT_EQ(mask(st, "CapPrm"), 0u);
    EXPECT_EQ(mask(st, "CapBnd"), host_.bounding);
    EXPECT_EQ(st["Groups"], "");
}

TEST_F(SecurityCreds, KeepingAnUngrantedCapIsNotAnError) {
    RealSys sys;
    // CAP_SYS_RESOURCE may be missing on this host: keeping it keeps nothing.
    const uint64_t keep = cap_bit(CAP_SYS_RESOURCE) | cap_bit(CAP_KILL);
    ProcessSpec p;
    SecurityConfig sec;
    sec.caps = cap_sets_keep(keep);
    auto r = in_child([&] {
        auto st = apply_credentials_and_caps(sys, p, sec);
        if (!st) {
            say("error: " + st.error().message());
            return 1;
        }
        say(read_status());
        return 0;
    });
    ASSERT_EQ(r.status, 0) << r.out;
    auto st = parse_status(r.out);
    EXPECT_EQ(mask(st, "CapBnd"), keep & host_.bounding);
    EXPECT_EQ(mask(st, "CapEff"), keep & host_.permitted);
}

// ------------------------------------------------------------------ rlimits
TEST(SecurityRlimitsLive, LoweringTheSoftLimitWorks) {
    RealSys sys;
    rlimit cur{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &cur), 0);
    auto r = in_child([&] {
        auto st = apply_rlimits(sys, {Rlimit{RLIMIT_NOFILE, "nofile", 64, cur.rlim_max}});
        if (!st) {
            say("error: " + st.error().message());
            return 1;
        }
        rlimit now{};
        ::getrlimit(RLIMIT_NOFILE, &now);
        say(std::to_string(now.rlim_cur) + " " + std::to_string(now.rlim_max));
        return 0;
    });
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, "64 " + std::to_string(cur.rlim_max));
}

TEST(SecurityRlimitsLive, LoweringTheHardLimitWorks) {
    RealSys sys;
    auto r = in_child([&] {
        auto st = apply_rlimits(sys, {Rlimit{RLIMIT_NOFILE, "nofile", 100, 200}});
        if (!st) return 1;
        rlimit now{};
        ::getrlimit(RLIMIT_NOFILE, &now);
        say(std::to_string(now.rlim_cur) + " " + std::to_string(now.rlim_max));
        return 0;
    });
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, "100 200");
}

TEST(SecurityRlimitsLive, RaisingTheHardLimitWithoutCapSysResourceSaysWhy) {
    RealSys sys;
    auto caps = current_caps(sys);
    ASSERT_TRUE(caps);
    if (caps->effective & cap_bit(CAP_SYS_RESOURCE))
        GTEST_SKIP() << "this process holds CAP_SYS_RESOURCE: raising would work";
    rlimit cur{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &cur), 0);
    if (cur.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "the hard limit is already unlimited";
    const uint64_t want = cur.rlim_max * 2;
    auto r = in_child([&] {
        auto st = apply_rlimits(sys, {Rlimit{RLIMIT_NOFILE, "nofile", cur.rlim_cur, want}});
        if (st) return 0;
        say(st.error().message());
        return 1;
    });
    ASSERT_EQ(WEXITSTATUS(r.status), 1);
    EXPECT_EQ(r.out, "rlimit nofile: cannot raise the hard limit from " +
                         std::to_string(cur.rlim_max) + " to " + std::to_string(want) +
                         ": this host denies CAP_SYS_RESOURCE");
}

}  // namespace
}  // namespace kiste::security
