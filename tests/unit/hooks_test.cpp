// The hook runner (arguments, environment, stdin, output, failures, the
// timeout) and LXC's hook arguments and environment. No root needed: the
// hooks are /bin/sh scripts in a temp dir.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "config/lxc/config.hpp"
#include "hooks/hooks.hpp"
#include "hooks/runner.hpp"
#include "rootfs/plan.hpp"
#include "rootfs/rootfs.hpp"

namespace kiste::hooks {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class HookRunner : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-hooks-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }

    static std::string read(const std::string& path) {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    // A hook as the LXC front-end makes it: a shell command line.
    static Hook shell(const std::string& line, const std::string& origin = "lxc.hook.mount, t:1") {
        Hook h;
        h.path = "/bin/sh";
        h.args = {"/bin/sh", "-c", "exec " + line + " \"$@\"", "sh"};
        h.name = line;
        h.origin = origin;
        return h;
    }
    std::string script(const std::string& name, const std::string& body) {
        const std::string p = dir_ + "/" + name;
        std::ofstream(p) << "#!/bin/sh\n" << body;
        fs::permissions(p, fs::perms::owner_all);
        return p;
    }

    std::string dir_;
    Logger log_{LogLevel::Fatal};
};

TEST_F(HookRunner, GetsArgumentsEnvironmentAndInput) {
    const std::string out = dir_ + "/out";
    const std::string s =
        script("h", "echo \"args=$*\" > " + out + "\necho \"v=$V\" >> " + out + "\ncat >> " + out);
    Invocation inv;
    inv.args = {"c1", "lxc", "mount"};
    inv.env = {"V=one", "PATH=/usr/bin:/bin"};
    inv.input = "{\"state\":1}";
    ASSERT_TRUE(run_hook(shell(s + " first"), inv, log_));
    EXPECT_EQ(read(out), "args=first c1 lxc mount\nv=one\n{\"state\":1}");
}

TEST_F(HookRunner, ArgumentsKeepTheirBlanks) {
    const std::string out = dir_ + "/out";
    const std::string s = script("h", "for a in \"$@\"; do echo \"[$a]\"; done > " + out);
    Invocation inv;
    inv.args = {"a b", "c"};
    ASSERT_TRUE(run_hook(shell(s), inv, log_));
    EXPECT_EQ(read(out), "[a b]\n[c]\n");
}

TEST_F(HookRunner, FailureNamesTheHookAndItsStatus) {
    const std::string s = script("fails", "echo why it failed\nexit 3\n");
    auto st = run_hook(shell(s), {}, log_);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message(),
              fmt::format("hook {} (lxc.hook.mount, t:1) exited with status 3", s));
}

TEST_F(HookRunner, MissingProgramFails) {
    auto st = run_hook(shell(dir_ + "/missing"), {}, log_);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("exited with status 127"), std::string::npos)
        << st.error().message();
    Hook direct{.path = dir_ + "/missing", .name = "missing"};
    st = run_hook(direct, {}, log_);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("hook missing exited with status 127"), std::string::npos)
        << st.error().message();
}

TEST_F(HookRunner, OutputGoesToTheLog) {
    const std::string logfile = dir_ + "/log";
    Logger log(LogLevel::Fatal);
    ASSERT_TRUE(log.open_file(logfile));
    log.set_file_level(LogLevel::Info);
    const std::string s = script("talks", "echo to stdout\necho to stderr >&2\n");
    ASSERT_TRUE(run_hook(shell(s), {}, log));
    const std::string text = read(logfile);
    EXPECT_NE(text.find("hook " + s + ": to stdout"), std::string::npos) << text;
    EXPECT_NE(text.find("hook " + s + ": to stderr"), std::string::npos) << text;
}

TEST_F(HookRunner, HangingHookIsKilledWithItsChildren) {
    const std::string pidfile = dir_ + "/pid";
    // A background child in the hook's group, and the hook waiting forever.
    const std::string s = script("hangs", "sleep 300 &\necho $! > " + pidfile + "\nwait\n");
    Invocation inv;
    inv.timeout = 500ms;
    const auto t0 = std::chrono::steady_clock::now();
    auto st = run_hook(shell(s), inv, log_);
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), ETIMEDOUT);
    EXPECT_NE(st.error().message().find("did not finish within 1 s; killed"), std::string::npos)
        << st.error().message();
    EXPECT_LT(took, 5s);
    // The background sleep is gone too (or a zombie waiting for its reaper).
    const std::string pid = read(pidfile);
    ASSERT_FALSE(pid.empty());
    const std::string stat = "/proc/" + pid.substr(0, pid.find('\n')) + "/stat";
    for (int i = 0; i < 50 && fs::exists(stat); ++i) {
        const std::string text = read(stat);
        if (text.find(") Z ") != std::string::npos || text.empty()) break;
        std::this_thread::sleep_for(20ms);
    }
    if (fs::exists(stat)) {
        const std::string text = read(stat);
        EXPECT_TRUE(text.empty() || text.find(") Z ") != std::string::npos) << text;
    }
}

TEST_F(HookRunner, HookThatIgnoresItsInputDoesNotHurt) {
    Invocation inv;
    inv.input.assign(size_t{4} << 20, 'x');  // more than any socket buffer
    ASSERT_TRUE(run_hook(shell("/bin/true"), inv, log_));
}

TEST_F(HookRunner, ExitedHookWithABackgroundChildDoesNotBlock) {
    // The child holds the output pipe open; the hook's exit is what counts.
    const std::string pidfile = dir_ + "/pid";
    const std::string s = script("bg", "sleep 300 &\necho $! > " + pidfile + "\nexit 0\n");
    Invocation inv;
    inv.timeout = 10s;
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(run_hook(shell(s), inv, log_));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
    const std::string pid = read(pidfile);
    if (!pid.empty()) ::kill(static_cast<pid_t>(std::strtol(pid.c_str(), nullptr, 10)), SIGKILL);
}

// ---- LXC's arguments and environment

ContainerSpec lxc_spec() {
    ContainerSpec s;
    s.name = "c1";
    s.rootfs.source = {RootfsSource::Kind::Dir, "/var/lib/kiste/c1/rootfs", {}};
    s.rootfs.path = "/var/lib/kiste/c1/rootfs";
    s.hooks.config_file = "/var/lib/kiste/c1/config";
    s.hooks.log_level = "DEBUG";
    s.process.env = {"FOO=bar"};
    return s;
}

bool has(const std::vector<std::string>& v, const std::string& e) {
    return std::find(v.begin(), v.end(), e) != v.end();
}

TEST(LxcHooks, Version0PassesNameSectionAndType) {
    auto s = lxc_spec();
    EXPECT_EQ(hook_arguments(s, Type::Stop, {.args = {"mnt:/proc/1/fd/3"}}),
              (std::vector<std::string>{"c1", "lxc", "stop", "mnt:/proc/1/fd/3"}));
    auto env = hook_environment(s, Type::Mount, {}, {"PATH=/bin", "LXC_STALE=1"});
    EXPECT_TRUE(has(env, "PATH=/bin"));
    EXPECT_FALSE(has(env, "LXC_STALE=1"));
    EXPECT_TRUE(has(env, "LXC_NAME=c1"));
    EXPECT_TRUE(has(env, "LXC_CONFIG_FILE=/var/lib/kiste/c1/config"));
    EXPECT_TRUE(has(env, "LXC_ROOTFS_MOUNT=/var/lib/kiste/c1/rootfs"));
    EXPECT_TRUE(has(env, "LXC_ROOTFS_PATH=dir:/var/lib/kiste/c1/rootfs"));
    EXPECT_TRUE(has(env, "LXC_LOG_LEVEL=DEBUG"));
    EXPECT_TRUE(has(env, "LXC_HOOK_VERSION=0"));
    EXPECT_FALSE(has(env, "LXC_HOOK_TYPE=mount"));
    EXPECT_FALSE(has(env, "FOO=bar"));  // lxc.environment: the start hook's only
    EXPECT_TRUE(has(hook_environment(s, Type::Start, {}, {}), "FOO=bar"));
}

TEST(LxcHooks, Version1PassesTypeAndSectionInTheEnvironment) {
    auto s = lxc_spec();
    s.hooks.version = "1";
    EXPECT_TRUE(hook_arguments(s, Type::PreStart, {}).empty());
    auto env = hook_environment(s, Type::PostStop, {.pid = 42, .reboot = true}, {});
    EXPECT_TRUE(has(env, "LXC_HOOK_VERSION=1"));
    EXPECT_TRUE(has(env, "LXC_HOOK_TYPE=post-stop"));
    EXPECT_TRUE(has(env, "LXC_HOOK_SECTION=lxc"));
    EXPECT_TRUE(has(env, "LXC_PID=42"));
    EXPECT_TRUE(has(env, "LXC_TARGET=reboot"));
}

TEST(LxcHooks, RootfsMount) {
    auto s = lxc_spec();
    s.rootfs.mount = "/mnt/stage";
    EXPECT_TRUE(has(hook_environment(s, Type::Mount, {}, {}), "LXC_ROOTFS_MOUNT=/mnt/stage"));
    ContainerSpec app;
    app.name = "app";
    EXPECT_TRUE(has(hook_environment(app, Type::Mount, {}, {}), "LXC_ROOTFS_MOUNT=/"));
    EXPECT_TRUE(has(hook_environment(app, Type::Mount, {}, {}), "LXC_LOG_LEVEL=ERROR"));
}

TEST(LxcHooks, TypeNames) {
    for (Type t : {Type::PreStart, Type::PreMount, Type::Mount, Type::Autodev, Type::StartHost,
                   Type::Start, Type::Stop, Type::PostStop, Type::Destroy})
        EXPECT_EQ(parse_type(type_name(t)), t);
    EXPECT_EQ(type_name(Type::StartHost), "start-host");
    EXPECT_FALSE(parse_type("clone"));
}

TEST(LxcHooks, MountHooksNeedAMountNamespace) {
    ContainerSpec s;
    s.hooks.mount.push_back(Hook{.path = "/bin/true", .name = "/bin/true"});
    EXPECT_FALSE(check_runnable(s));
    s.namespaces[NsKind::Mount].mode = NamespaceConfig::Mode::New;
    EXPECT_TRUE(check_runnable(s));
}

TEST(LxcHooks, ContainerThatNeverRanHasNoStopHooks) {
    auto s = lxc_spec();
    s.hooks.stop.push_back(Hook{.path = "/bin/false", .name = "/bin/false"});
    Logger log(LogLevel::Fatal);
    run_stop_hooks(s, ContainerRefs{}, false, log);  // pid 0: nothing runs, nothing fails
    auto refs = keep_container_refs(s, ::getpid());
    ASSERT_TRUE(refs);
    EXPECT_EQ(refs->pid, ::getpid());
    EXPECT_TRUE(refs->namespaces.empty());  // no namespace of its own
}

TEST(LxcHooks, FromTheConfig) {
    auto cfg = lxc::load_string(
        "lxc.hook.mount = /usr/share/lxcfs/lxc.mount.hook\n"
        "lxc.hook.pre-start = /bin/true\n"
        "kiste.hook.timeout = 5\n"
        "lxc.log.level = 1\n",
        "c.conf");
    ASSERT_TRUE(cfg) << cfg.error().message();
    auto spec = lxc::to_spec(*cfg, lxc::Purpose::Start);
    ASSERT_TRUE(spec) << spec.error().message();
    ASSERT_EQ(spec->hooks.mount.size(), 1U);
    EXPECT_EQ(spec->hooks.mount[0].name, "/usr/share/lxcfs/lxc.mount.hook");
    EXPECT_EQ(spec->hooks.mount[0].origin, "lxc.hook.mount, c.conf:1");
    EXPECT_EQ(spec->hooks.timeout_seconds, 5);
    EXPECT_EQ(spec->hooks.log_level, "DEBUG");
    for (const auto& u : spec->unapplied) EXPECT_FALSE(u.key.starts_with("lxc.hook")) << u.key;
    EXPECT_FALSE(lxc::load_string("kiste.hook.timeout = 0\n", "c.conf"));
}

TEST(LxcHooks, MountNamespaceHooksInThePlan) {
    ContainerSpec s;
    s.rootfs.path = "/srv/c1";
    s.dev.autodev = true;
    s.hooks.pre_mount.push_back(Hook{.path = "/bin/true"});
    s.hooks.mount.push_back(Hook{.path = "/bin/true"});
    s.hooks.autodev.push_back(Hook{.path = "/bin/true"});
    rootfs::Options opt;
    auto ops = rootfs::plan(s, opt);
    ASSERT_TRUE(ops) << ops.error().message();
    auto at = [&](rootfs::OpKind k, const std::string& target = {}) {
        for (size_t i = 0; i < ops->size(); ++i)
            if ((*ops)[i].kind == k && (target.empty() || (*ops)[i].target == target)) return i;
        return ops->size();
    };
    using rootfs::OpKind;
    EXPECT_LT(at(OpKind::Propagation), at(OpKind::Hooks, "pre-mount"));
    EXPECT_LT(at(OpKind::Hooks, "pre-mount"), at(OpKind::BindRootfs));
    EXPECT_LT(at(OpKind::Mknod), at(OpKind::Hooks, "mount"));
    EXPECT_LT(at(OpKind::Hooks, "mount"), at(OpKind::Hooks, "autodev"));
    EXPECT_LT(at(OpKind::Hooks, "autodev"), at(OpKind::PivotRoot));
    EXPECT_LT(at(OpKind::PivotRoot), ops->size());
    // Without hooks, no ops.
    ContainerSpec plain;
    plain.rootfs.path = "/srv/c1";
    auto none = rootfs::plan(plain, opt);
    ASSERT_TRUE(none);
    for (const auto& op : *none) EXPECT_NE(op.kind, OpKind::Hooks);
}

}  // namespace
}  // namespace kiste::hooks
