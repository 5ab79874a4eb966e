// The environment of an attached process and the pure decisions of the
// attach session.
#include <gtest/gtest.h>

#include <csignal>

#include "attach/environment.hpp"
#include "attach/ps.hpp"
#include "attach/session.hpp"

namespace kiste::attach {
namespace {

bool has(const std::vector<std::string>& env, const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
}
bool has_key(const std::vector<std::string>& env, const std::string& key) {
    for (const auto& e : env)
        if (e.starts_with(key + "=")) return true;
    return false;
}

const std::vector<std::string> kCaller = {"PATH=/host/bin", "HOME=/root", "TERM=xterm", "SECRET=1",
                                          "container=docker"};

TEST(AttachEnv, KeepsCallersByDefault) {
    auto env = attach_environment(kCaller, false, {"FOO=bar"});
    EXPECT_TRUE(has(env, "PATH=/host/bin"));
    EXPECT_TRUE(has(env, "SECRET=1"));
    EXPECT_TRUE(has(env, "container=lxc"));  // replaced in place
    EXPECT_FALSE(has(env, "container=docker"));
    EXPECT_TRUE(has(env, "FOO=bar"));
    // No PATH at all: the default one.
    auto bare = attach_environment(std::vector<std::string>{"A=1"}, false, {});
    EXPECT_TRUE(has_key(bare, "PATH"));
}

// lxc-attach --clear-env: PATH and container=lxc, nothing of the caller's
// (no TERM, no HOME) but what -v names.
TEST(AttachEnv, ClearEnvKeepsOnlyPathAndContainer) {
    auto bare = attach_environment(kCaller, true, {});
    std::vector<std::string> keys;
    for (const auto& e : bare) keys.push_back(e.substr(0, e.find('=')));
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, (std::vector<std::string>{"PATH", "container"}));
    EXPECT_TRUE(has(bare, "container=lxc"));
    EXPECT_FALSE(has(bare, "PATH=/host/bin"));

    auto env = attach_environment(kCaller, true, {"FOO=bar", "SECRET", "NOPE", "TERM"});
    EXPECT_TRUE(has(env, "FOO=bar"));
    EXPECT_TRUE(has(env, "SECRET=1"));  // bare -v VAR takes the caller's value
    EXPECT_TRUE(has(env, "TERM=xterm"));
    EXPECT_FALSE(has_key(env, "NOPE"));
    EXPECT_FALSE(has_key(env, "HOME"));
    // -v replaces in place.
    auto over = attach_environment(kCaller, true, {"PATH=/x"});
    EXPECT_TRUE(has(over, "PATH=/x"));
    EXPECT_EQ(std::count_if(over.begin(), over.end(),
                            [](const std::string& e) { return e.starts_with("PATH="); }),
              1);
}

TEST(AttachEnv, Validate) {
    EXPECT_TRUE(validate_env_entries({"A=1", "B", "C="}));
    EXPECT_FALSE(validate_env_entries({""}));
    EXPECT_FALSE(validate_env_entries({"=x"}));
}

TEST(AttachEnv, ResolveCommand) {
    std::vector<std::string> env = {"PATH=/nonexistent:/bin:/usr/bin"};
    EXPECT_EQ(resolve_command("/x/y", env), "/x/y");
    EXPECT_EQ(resolve_command("./y", env), "./y");
    const std::string sh = resolve_command("sh", env);
    EXPECT_TRUE(sh == "/bin/sh" || sh == "/usr/bin/sh") << sh;
    EXPECT_EQ(resolve_command("no-such-command-kiste", env), "no-such-command-kiste");
}

TEST(AttachSession, SignalForwarding) {
    // Without a pty, what the terminal sends reaches the command already.
    EXPECT_FALSE(should_forward(SIGINT, SI_KERNEL, false));
    EXPECT_TRUE(should_forward(SIGINT, SI_USER, false));
    EXPECT_TRUE(should_forward(SIGTERM, SI_USER, false));
    EXPECT_TRUE(should_forward(SIGHUP, SI_KERNEL, true));  // the user's terminal hung up
    EXPECT_FALSE(should_forward(SIGWINCH, SI_KERNEL, true));
    EXPECT_FALSE(should_forward(SIGPIPE, SI_USER, false));
}

TEST(AttachPs, Formats) {
    std::vector<ProcessInfo> procs = {{.pid = 4242,
                                       .cpid = 1,
                                       .uid = 0,
                                       .user = "root",
                                       .state = 'S',
                                       .cpu_seconds = 61,
                                       .command = "init"},
                                      {.pid = 4300,
                                       .cpid = 7,
                                       .uid = 1000,
                                       .user = "1000",
                                       .state = 'R',
                                       .cpu_seconds = 0,
                                       .command = "sh -c \"x\""}};
    const std::string table = format_ps_table(procs);
    EXPECT_EQ(table,
              "    PID    CPID USER STAT     TIME COMMAND\n"
              "   4242       1 root S    00:01:01 init\n"
              "   4300       7 1000 R    00:00:00 sh -c \"x\"\n");
    const std::string json = format_ps_json(procs);
    EXPECT_NE(json.find("\"cpid\": 7"), std::string::npos) << json;
    EXPECT_NE(json.find("\"command\": \"sh -c \\\"x\\\"\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"state\": \"R\""), std::string::npos) << json;
    EXPECT_EQ(format_ps_json({}), "[]\n");
}

}  // namespace
}  // namespace kiste::attach
