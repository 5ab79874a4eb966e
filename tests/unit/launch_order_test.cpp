// The container child's steps against the recording fake: the order of the
// namespace steps (child_setup) and of the last steps before exec
// (finish_child), and that a failing step stops the sequence there with an
// error that names it.
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fake_sys.hpp"
#include "runtime/child_steps.hpp"
#include "security/caps.hpp"

namespace kiste::runtime {
namespace {

using fakes::FakeSys;
using Calls = std::vector<std::string>;

// Where the first call starting with `prefix` is; calls.size() when none.
size_t index_of(const Calls& calls, std::string_view prefix) {
    auto it = std::find_if(calls.begin(), calls.end(),
                           [&](const std::string& c) { return c.starts_with(prefix); });
    return static_cast<size_t>(it - calls.begin());
}

// A user payload with every finishing step in use: a uid, a group, a capability
// drop and no_new_privs.
ContainerSpec payload_spec() {
    ContainerSpec s;
    s.process.args = {"/bin/true"};
    s.process.uid = 1000;
    s.process.gid = 1000;
    s.process.additional_gids = {5};
    s.security.caps = security::cap_sets_drop(security::cap_bit(CAP_SYS_ADMIN));
    s.security.no_new_privs = true;
    return s;
}

class FinishChild : public ::testing::Test {
protected:
    void SetUp() override {
        auto pair = Channel::make_pair();
        ASSERT_TRUE(pair) << pair.error().message();
        parent_ = std::move(pair->first);
        child_ = std::move(pair->second);
    }
    Status finish() { return finish_child(sys_, spec_, opt_, child_); }

    FakeSys sys_;
    ContainerSpec spec_ = payload_spec();
    LaunchOptions opt_;
    Channel parent_, child_;
};

TEST_F(FinishChild, StepsAreNamedInTheirOrder) {
    const std::vector<std::string_view> want = {"LSM label",    "capability bounding set",
                                                "credentials",  "parent-death signal",
                                                "capabilities", "no_new_privs",
                                                "seccomp",      "command",
                                                "console",      "closing fds",
                                                "ready",        "go",
                                                "signals",      "exec gate",
                                                "start hooks",  "exec"};
    EXPECT_EQ(finish_child_steps(), want);
}

TEST_F(FinishChild, KernelCallsInOrder) {
    auto st = finish();
    ASSERT_TRUE(st) << st.error().message();
    const CapMasks caps = sys_.caps;
    const uint64_t want =
        security::all_caps_mask() & FakeSys::kAllCaps & ~security::cap_bit(CAP_SYS_ADMIN);
    EXPECT_EQ(caps.permitted, want);
    EXPECT_EQ(caps.effective, want);
    EXPECT_EQ(sys_.calls, (Calls{
                              "prctl PR_CAPBSET_DROP 21",
                              "prctl PR_SET_KEEPCAPS 1",
                              "setgroups [5]",
                              "setresgid 1000 1000 1000",
                              "setresuid 1000 1000 1000",
                              "prctl PR_SET_PDEATHSIG 9",
                              "prctl PR_SET_KEEPCAPS 0",
                              fmt::format("capset e={:#x} p={:#x} i=0x0", want, want),
                              "prctl PR_CAP_AMBIENT_CLEAR_ALL",
                              "prctl PR_SET_NO_NEW_PRIVS 1",
                              "close_range 3 ~0 CLOEXEC",
                              "reset_ignored_signals",
                              "sigprocmask SIG_UNBLOCK",
                              "execve /bin/true /bin/true",
                          }));
}

// The kernel's constraints, each as one comparison, so that a reordering
// says which one it breaks.
TEST_F(FinishChild, OrderTheKernelNeeds) {
    UniqueFd console = sys_.fd_for("/dev/console");
    opt_.stdio_fd = console.get();
    ASSERT_TRUE(finish());
    const Calls& c = sys_.calls;
    auto before = [&](std::string_view a, std::string_view b) {
        const size_t ia = index_of(c, a), ib = index_of(c, b);
        EXPECT_LT(ia, c.size()) << a << " missing";
        EXPECT_LT(ib, c.size()) << b << " missing";
        EXPECT_LT(ia, ib) << a << " must come before " << b;
    };
    // CAP_SETPCAP for the bounding set, then keepcaps across the uid change.
    before("prctl PR_CAPBSET_DROP", "setresuid");
    before("prctl PR_SET_KEEPCAPS 1", "setresuid");
    // Groups and gid need CAP_SETGID, which the uid change takes.
    before("setgroups", "setresuid");
    before("setresgid", "setresuid");
    // The uid change clears the effective set and the parent-death signal.
    before("setresuid", "capset");
    before("setresuid", "prctl PR_SET_PDEATHSIG");
    before("capset", "prctl PR_CAP_AMBIENT_CLEAR_ALL");
    before("capset", "prctl PR_SET_NO_NEW_PRIVS");
    // The console's fd is marked close-on-exec with the others.
    before("set_controlling_tty", "close_range");
    before("prctl PR_SET_NO_NEW_PRIVS", "close_range");
    before("close_range", "execve");
    before("sigprocmask SIG_UNBLOCK", "execve");
    EXPECT_EQ(c.back(), "execve /bin/true /bin/true");
}

TEST_F(FinishChild, ConsoleBecomesStdioAndControllingTty) {
    UniqueFd console = sys_.fd_for("/dev/console");
    opt_.stdio_fd = console.get();
    ASSERT_TRUE(finish());
    EXPECT_EQ(sys_.calls_of({"setsid", "dup2", "set_controlling_tty", "close_range"}),
              (Calls{"setsid", "dup2 /dev/console 0", "dup2 /dev/console 1", "dup2 /dev/console 2",
                     "set_controlling_tty 0", "close_range 3 ~0 CLOEXEC"}));
}

TEST_F(FinishChild, WithInitThePayloadStartsBeforeTheInitImageExecutes) {
    UniqueFd image = sys_.fd_for("/memfd:kiste-init");
    spec_.process.use_init = true;
    opt_.init_image_fd = image.get();
    ASSERT_TRUE(finish());
    EXPECT_EQ(sys_.calls_of({"sigprocmask", "clone_vm", "exec", "kill"}),
              (Calls{"sigprocmask SIG_UNBLOCK", "sigprocmask SIG_BLOCK", "clone_vm 4242",
                     "execveat /memfd:kiste-init kiste-init --adopt 4242 -- /bin/true"}));
}

TEST_F(FinishChild, AFailedInitExecKillsThePayload) {
    UniqueFd image = sys_.fd_for("/memfd:kiste-init");
    spec_.process.use_init = true;
    opt_.init_image_fd = image.get();
    sys_.fail_on["execveat"] = EACCES;
    auto st = finish();
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message(false), "exec: executing kiste-init");
    EXPECT_EQ(st.error().code(), EACCES);
    EXPECT_EQ(sys_.calls.back(), "kill 4242 9");
}

TEST_F(FinishChild, WithoutCapsOrNoNewPrivsOnlyTheCredentialsChange) {
    spec_.security = {};
    spec_.process.additional_gids.clear();
    ASSERT_TRUE(finish());
    EXPECT_EQ(sys_.calls, (Calls{"setgroups []", "setresgid 1000 1000 1000",
                                 "setresuid 1000 1000 1000", "prctl PR_SET_PDEATHSIG 9",
                                 "close_range 3 ~0 CLOEXEC", "reset_ignored_signals",
                                 "sigprocmask SIG_UNBLOCK", "execve /bin/true /bin/true"}));
}

TEST_F(FinishChild, TheCommandIsFoundInTheContainersPath) {
    sys_.add_file("/opt/tools/hello");
    spec_.process.args = {"hello", "world"};
    spec_.process.env = {"PATH=/opt/none:/opt/tools"};
    ASSERT_TRUE(finish());
    EXPECT_EQ(sys_.calls.back(), "execve /opt/tools/hello /opt/tools/hello world");
}

// One failing kernel call per step: the sequence stops at that call, and the
// error names the step.
struct FailingStep {
    const char* call;  // FakeSys::fail_on key
    int err;
    const char* step;
};

class FinishChildFailure : public FinishChild, public ::testing::WithParamInterface<FailingStep> {};

TEST_P(FinishChildFailure, StopsThereAndNamesTheStep) {
    const FailingStep& f = GetParam();
    UniqueFd console = sys_.fd_for("/dev/console");
    opt_.stdio_fd = console.get();
    sys_.fail_on[f.call] = f.err;
    auto st = finish();
    ASSERT_FALSE(st) << f.call;
    EXPECT_TRUE(st.error().message().starts_with(std::string(f.step) + ": "))
        << st.error().message();
    EXPECT_EQ(st.error().code(), f.err);
    ASSERT_FALSE(sys_.calls.empty());
    EXPECT_TRUE(sys_.calls.back().starts_with(f.call))
        << "went on after the failure to " << sys_.calls.back();
}

INSTANTIATE_TEST_SUITE_P(
    EachStep, FinishChildFailure,
    ::testing::Values(FailingStep{"prctl PR_CAPBSET_DROP", EPERM, "capability bounding set"},
                      FailingStep{"prctl PR_SET_KEEPCAPS 1", EINVAL, "capability bounding set"},
                      FailingStep{"setgroups", EPERM, "credentials"},
                      FailingStep{"setresgid", EPERM, "credentials"},
                      FailingStep{"setresuid", EAGAIN, "credentials"},
                      FailingStep{"prctl PR_SET_PDEATHSIG", EINVAL, "parent-death signal"},
                      FailingStep{"prctl PR_SET_KEEPCAPS 0", EINVAL, "capabilities"},
                      FailingStep{"capset", EPERM, "capabilities"},
                      FailingStep{"prctl PR_CAP_AMBIENT_CLEAR_ALL", EPERM, "capabilities"},
                      FailingStep{"prctl PR_SET_NO_NEW_PRIVS", EINVAL, "no_new_privs"},
                      FailingStep{"setsid", EPERM, "console"},
                      FailingStep{"dup2", EBADF, "console"},
                      FailingStep{"set_controlling_tty", EPERM, "console"},
                      FailingStep{"close_range", EPERM, "closing fds"},
                      FailingStep{"sigprocmask", EINVAL, "signals"},
                      FailingStep{"execve", ENOENT, "exec"}));

TEST_F(FinishChild, AClosedChannelStopsAtReady) {
    parent_.close();
    auto st = finish();
    ASSERT_FALSE(st);
    EXPECT_TRUE(st.error().message().starts_with("ready: ")) << st.error().message();
    EXPECT_EQ(sys_.calls.back(), "close_range 3 ~0 CLOEXEC");
}

TEST_F(FinishChild, WaitsForGoWhenTheParentWantsIt) {
    opt_.before_go = [](pid_t) -> Status { return {}; };
    ASSERT_TRUE(parent_.send_cgroups());  // not GO
    auto st = finish();
    ASSERT_FALSE(st);
    EXPECT_TRUE(st.error().message().starts_with("go: ")) << st.error().message();
    EXPECT_EQ(sys_.calls.back(), "close_range 3 ~0 CLOEXEC");

    FakeSys sys;
    ASSERT_TRUE(parent_.send_go());
    ASSERT_TRUE(finish_child(sys, spec_, opt_, child_));
    EXPECT_EQ(sys.calls.back(), "execve /bin/true /bin/true");
}

TEST_F(FinishChild, AnEmptyGroupListMayBeDeniedInAUserNamespace) {
    spec_.process.additional_gids.clear();
    sys_.fail_on["setgroups"] = EPERM;
    ASSERT_TRUE(finish());
    EXPECT_EQ(sys_.calls.back(), "execve /bin/true /bin/true");
}

// ---------------------------------------------------------------- child_setup

// The namespace steps of a container with its own user, uts, net, time and
// cgroup namespaces (no mount namespace: no rootfs to set up here).
ContainerSpec namespaced_spec() {
    ContainerSpec s;
    s.process.args = {"/bin/true"};
    for (NsKind k : {NsKind::User, NsKind::Uts, NsKind::Net, NsKind::Time, NsKind::Cgroup})
        s.namespaces[k].mode = NamespaceConfig::Mode::New;
    s.hostname = "zeig";
    s.domainname = "example.org";
    s.time_offset_monotonic_ns = -1'500'000'000;
    s.process.cwd = "/srv";
    return s;
}

class ChildSetup : public FinishChild {
protected:
    Status setup() { return child_setup(sys_, spec_, opt_, joins_, {}, child_, log_); }
    ns::JoinFds joins_;
    Logger log_{LogLevel::Fatal};
};

TEST_F(ChildSetup, NamespaceStepsInOrder) {
    spec_ = namespaced_spec();
    sys_.add_file("/proc/self/timens_offsets");
    sys_.add_dir("/srv");
    auto st = setup();
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(sys_.calls, (Calls{
                              // Root of the new user namespace before anything needs rights.
                              "setresgid 0 0 0",
                              "setresuid 0 0 0",
                              "setgroups []",
                              // Offsets only before a process enters the time namespace.
                              "unshare CLONE_NEWTIME",
                              "write /proc/self/timens_offsets monotonic -2 500000000",
                              // The parent has placed us in our cgroups: they become the root.
                              "unshare CLONE_NEWCGROUP",
                              "interface_up lo",
                              "sethostname zeig",
                              "setdomainname example.org",
                              "join_session_keyring",
                              "chdir /srv",
                          }));
}

TEST_F(ChildSetup, JoinsTheUserNamespaceFirstAndTheNetMadeAhead) {
    spec_.process.args = {"/bin/true"};
    spec_.namespaces[NsKind::Net].mode = NamespaceConfig::Mode::New;
    UniqueFd ahead = sys_.fd_for("/proc/9/ns/net");
    opt_.net_ns_fd = ahead.get();
    joins_.fds.emplace_back(NsKind::Ipc, sys_.fd_for("/proc/77/ns/ipc"));
    joins_.fds.emplace_back(NsKind::User, sys_.fd_for("/proc/77/ns/user"));
    joins_.fds.emplace_back(NsKind::Pid, sys_.fd_for("/proc/77/ns/pid"));
    spec_.keyring_session = false;
    ASSERT_TRUE(setup());
    // The pid namespace is the parent's to join (for its children); the net
    // namespace made ahead already has its loopback up.
    EXPECT_EQ(sys_.calls,
              (Calls{"setns /proc/9/ns/net CLONE_NEWNET", "setns /proc/77/ns/user CLONE_NEWUSER",
                     "setns /proc/77/ns/ipc CLONE_NEWIPC", "chdir /"}));
}

TEST_F(ChildSetup, LateCgroupsAreJoinedBeforeTheCgroupNamespaceIsMade) {
    spec_.namespaces[NsKind::Cgroup].mode = NamespaceConfig::Mode::New;
    spec_.keyring_session = false;
    opt_.make_late_cgroups = [] { return Result<std::vector<UniqueFd>>{}; };
    UniqueFd tasks = sys_.fd_for("/sys/fs/cgroup/memory/c1/tasks");
    ASSERT_TRUE(parent_.send_cgroups({tasks.get()}));
    ASSERT_TRUE(setup());
    ASSERT_EQ(sys_.calls.size(), 3u) << fmt::format("{}", fmt::join(sys_.calls, "\n"));
    EXPECT_EQ(sys_.calls[0], "chdir /");
    EXPECT_TRUE(sys_.calls[1].starts_with("write ")) << sys_.calls[1];
    EXPECT_TRUE(sys_.calls[1].ends_with(" 0")) << sys_.calls[1];
    EXPECT_EQ(sys_.calls[2], "unshare CLONE_NEWCGROUP");
}

TEST_F(ChildSetup, AFailedStepStopsTheSetup) {
    spec_ = namespaced_spec();
    sys_.add_file("/proc/self/timens_offsets");
    sys_.fail_on["sethostname"] = EPERM;
    auto st = setup();
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message(false), "setting the hostname to 'zeig'");
    EXPECT_EQ(sys_.calls.back(), "sethostname zeig");
}

// ---------------------------------------------------------------- ns/ steps

TEST(NamespaceSteps, IdMapsAreWrittenWholeUidFirst) {
    FakeSys sys;
    sys.add_file("/proc/123/uid_map");
    sys.add_file("/proc/123/gid_map");
    ContainerSpec s;
    s.namespaces[NsKind::User].mode = NamespaceConfig::Mode::New;
    s.uid_map = {{0, 100000, 65536}};
    s.gid_map = {{0, 100000, 1000}, {1000, 1000, 1}};
    ASSERT_TRUE(ns::write_id_maps(sys, 123, s));
    EXPECT_EQ(sys.calls, (Calls{"write /proc/123/uid_map 0 100000 65536",
                                "write /proc/123/gid_map 0 100000 1000;1000 1000 1"}));
}

TEST(NamespaceSteps, AFailedMapWriteNamesTheMap) {
    FakeSys sys;
    sys.add_file("/proc/123/uid_map");
    sys.add_file("/proc/123/gid_map");
    sys.fail_on["write /proc/123/gid_map"] = EPERM;
    ContainerSpec s;
    s.namespaces[NsKind::User].mode = NamespaceConfig::Mode::New;
    s.uid_map = s.gid_map = {{0, 100000, 65536}};
    auto st = ns::write_id_maps(sys, 123, s);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message(false),
              "the gid mappings: writing /proc/123/gid_map (0 100000 65536)");
}

TEST(NamespaceSteps, NoUserNamespaceNoMaps) {
    FakeSys sys;
    ASSERT_TRUE(ns::write_id_maps(sys, 123, ContainerSpec{}));
    EXPECT_TRUE(sys.calls.empty());
}

TEST(NamespaceSteps, SharedNamespacesAreOpenedAndThePidOneJoinedOutside) {
    FakeSys sys;
    sys.add_file("/proc/77/ns/pid");
    sys.add_file("/proc/77/ns/uts");
    ContainerSpec s;
    s.namespaces[NsKind::Pid] = {NamespaceConfig::Mode::Join, "/proc/77/ns/pid"};
    s.namespaces[NsKind::Uts] = {NamespaceConfig::Mode::Join, "/proc/77/ns/uts"};
    auto joins = ns::open_joins(sys, s);
    ASSERT_TRUE(joins) << joins.error().message();
    ASSERT_EQ(joins->fds.size(), 2u);
    ASSERT_TRUE(ns::join_pid_for_children(sys, *joins));
    EXPECT_EQ(sys.calls, (Calls{"setns /proc/77/ns/pid CLONE_NEWPID"}));
    sys.calls.clear();
    ASSERT_TRUE(ns::join_inside(sys, *joins));
    EXPECT_EQ(sys.calls, (Calls{"setns /proc/77/ns/uts CLONE_NEWUTS"}));
}

TEST(NamespaceSteps, AMissingSharedNamespaceSaysWhich) {
    FakeSys sys;
    ContainerSpec s;
    s.namespaces[NsKind::Net] = {NamespaceConfig::Mode::Join, "/proc/78/ns/net"};
    auto joins = ns::open_joins(sys, s);
    ASSERT_FALSE(joins);
    EXPECT_EQ(joins.error().message(false), "opening the net namespace /proc/78/ns/net to share");
    EXPECT_EQ(joins.error().code(), ENOENT);
}

TEST(NamespaceSteps, BecomingRootIgnoresADeniedEmptyGroupListOnly) {
    FakeSys sys;
    sys.fail_on["setgroups"] = EPERM;
    EXPECT_TRUE(ns::become_ns_root(sys));
    sys.fail_on["setgroups"] = EINVAL;
    auto st = ns::become_ns_root(sys);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message(false), "setgroups in the new user namespace");
}

TEST(NamespaceSteps, TimeOffsetsWithoutOffsetsOnlyUnshare) {
    FakeSys sys;
    ContainerSpec s;
    s.namespaces[NsKind::Time].mode = NamespaceConfig::Mode::New;
    ASSERT_TRUE(ns::setup_time(sys, s));
    EXPECT_EQ(sys.calls, (Calls{"unshare CLONE_NEWTIME"}));
    s.time_offset_boottime_ns = 2'000'000'001;
    sys.add_file("/proc/self/timens_offsets");
    sys.calls.clear();
    ASSERT_TRUE(ns::setup_time(sys, s));
    EXPECT_EQ(sys.calls,
              (Calls{"unshare CLONE_NEWTIME", "write /proc/self/timens_offsets boottime 2 1"}));
}

TEST(NamespaceSteps, NamesOnlyInAPrivateUtsNamespace) {
    FakeSys sys;
    ContainerSpec s;
    s.hostname = "zeig";
    ASSERT_TRUE(ns::set_names(sys, s));
    EXPECT_TRUE(sys.calls.empty());
    s.namespaces[NsKind::Uts].mode = NamespaceConfig::Mode::New;
    ASSERT_TRUE(ns::set_names(sys, s));
    EXPECT_EQ(sys.calls, (Calls{"sethostname zeig"}));
}

}  // namespace
}  // namespace kiste::runtime
