// lxc.net.N.script.up / script.down, as LXC runs them: through the shell,
//   exec SCRIPT NAME net up|down TYPE [LINK] [HOST-VETH]
// with LXC_NAME, LXC_HOOK_TYPE, LXC_HOOK_SECTION=net, LXC_NET_TYPE,
// LXC_NET_PARENT and (veth) LXC_NET_PEER in the environment. LXC sets the
// variables only with lxc.hook.version = 1; kiste always sets them.
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include "net/network.hpp"

extern char** environ;

namespace kiste::net {

Status run_net_script(const std::string& script, const std::string& hook, const LinkState& s,
                      const std::string& container, Logger& log) {
    const NetInterface& c = s.cfg;
    std::string cmd = fmt::format("exec {} {} net {} {}", script, container, hook, c.type);
    // LXC passes `empty` alone (NAME net up empty).
    if (!c.link.empty() && c.type != "empty") cmd += " " + c.link;
    if (c.type == "veth") cmd += " " + s.host_dev;

    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view v(*e);
        if (!v.starts_with("LXC_")) env.emplace_back(v);
    }
    env.push_back("LXC_NAME=" + container);
    env.push_back("LXC_HOOK_TYPE=" + hook);
    env.emplace_back("LXC_HOOK_SECTION=net");
    env.push_back("LXC_NET_TYPE=" + c.type);
    if (c.type == "veth" || c.type == "macvlan" || c.type == "phys" || c.type == "ipvlan" ||
        c.type == "vlan")
        env.push_back("LXC_NET_PARENT=" + c.link);
    if (c.type == "veth") env.push_back("LXC_NET_PEER=" + s.host_dev);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string sh = "/bin/sh", dash_c = "-c";
    char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};

    log.debug("container {}: running script.{}: {}", container, hook, cmd);
    pid_t pid = ::fork();
    if (pid < 0) return fail_errno("forking for script.{} {}", hook, script);
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(argv[0], argv, envp.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return fail_errno("waiting for script.{} {}", hook, script);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
    return fail("{}: script.{} '{}' failed ({})", c.origin, hook, script,
                WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                  : fmt::format("signal {}", WTERMSIG(status)));
}

}  // namespace kiste::net
