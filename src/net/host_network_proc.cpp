#include "net/host_network_proc.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <netlink/route/link/bridge.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/child_guard.hpp"
#include "base/process.hpp"
#include "net/host_network.hpp"
#include "net/netlink_libnl.hpp"

namespace kiste::net {
namespace {

std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

Result<std::string> find_dnsmasq() {
    for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
        std::string p = std::string(dir) + "/dnsmasq";
        if (::access(p.c_str(), X_OK) == 0) return p;
    }
    return fail("dnsmasq is not installed (Debian package dnsmasq-base)");
}

// Waits up to `ms` for the process behind `pidfd` to end.
bool wait_exit(int pidfd, int ms) {
    pollfd pfd{pidfd, POLLIN, 0};
    for (;;) {
        int r = ::poll(&pfd, 1, ms);
        if (r < 0 && errno == EINTR) continue;
        return r > 0;
    }
}

}  // namespace

Status create_bridge(const std::string& name) {
    nl_sock* sock = nl_socket_alloc();
    if (sock == nullptr) return fail("allocating a netlink socket");
    std::unique_ptr<nl_sock, void (*)(nl_sock*)> sock_owner(sock, nl_socket_free);
    if (int err = nl_connect(sock, NETLINK_ROUTE); err < 0)
        return nl_fail(err, "connecting a netlink socket");
    std::unique_ptr<rtnl_link, void (*)(rtnl_link*)> link(rtnl_link_bridge_alloc(), rtnl_link_put);
    if (!link) return fail("allocating a bridge link");
    rtnl_link_set_name(link.get(), name.c_str());
    rtnl_link_set_flags(link.get(), IFF_UP);
    // NLM_F_EXCL: an existing interface of that name is an error, never reused.
    if (int err = rtnl_link_add(sock, link.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0) {
        if (err == -NLE_EXIST) return fail("interface {} exists already", name);
        return create_fail(err, "bridge", name);
    }
    return {};
}

bool is_our_dnsmasq(pid_t pid, uint64_t start_time, const std::string& pid_file) {
    if (pid <= 1) return false;
    if (start_time != 0 && process_start_time(pid) != start_time) return false;
    return cmdline_is_dnsmasq_for(read_text(fmt::format("/proc/{}/cmdline", pid)), pid_file);
}

Result<DnsmasqProcess> start_dnsmasq(const std::vector<std::string>& argv,
                                     const std::string& pid_file, const std::string& log_file) {
    const std::string exe = KISTE_TRY(find_dnsmasq());
    UniqueFd log(::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!log) return fail_errno("creating {}", log_file);
    UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null) return fail_errno("opening /dev/null");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid < 0) return fail_errno("fork for dnsmasq");
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        if (::dup2(null.get(), 0) < 0 || ::dup2(log.get(), 1) < 0 || ::dup2(log.get(), 2) < 0)
            ::_exit(126);
        ::syscall(SYS_close_range, 3U, ~0U, 0U);
        ::execv(exe.c_str(), args.data());
        ::_exit(127);
    }
    // dnsmasq's first process exits once the daemon is set up (or failed).
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return fail_errno("waiting for dnsmasq");
    }
    auto said = [&] {
        std::string t = read_text(log_file);
        while (!t.empty() && t.back() == '\n') t.pop_back();
        return t.empty() ? std::string() : ": " + t;
    };
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return fail("dnsmasq failed ({} {}){}", WIFEXITED(status) ? "exit" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), said());
    // The daemon writes its pid file before its parent exits; allow a
    // moment in case it is still being written.
    for (int i = 0; i < 40; ++i) {
        std::string text = read_text(pid_file);
        pid_t p = 0;
        if (std::istringstream(text) >> p && p > 1 && is_our_dnsmasq(p, 0, pid_file))
            return DnsmasqProcess{p, process_start_time(p)};
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return fail("dnsmasq started but {} names no dnsmasq of ours{}", pid_file, said());
}

Status stop_dnsmasq(const DnsmasqProcess& p, const std::string& pid_file, Logger& log) {
    if (!is_our_dnsmasq(p.pid, p.start_time, pid_file)) {
        log.debug("dnsmasq {} is gone already", p.pid);
        return {};
    }
    auto fd = pidfd_open(p.pid);
    if (!fd) {
        if (fd.error().code() == ESRCH) return {};
        return std::unexpected(fd.error());
    }
    // Checked again now that the pidfd pins the process: a pid reused in
    // between must not get our signal.
    if (!is_our_dnsmasq(p.pid, p.start_time, pid_file)) return {};
    for (int sig : {SIGTERM, SIGKILL}) {
        if (::syscall(SYS_pidfd_send_signal, fd->get(), sig, nullptr, 0) < 0) {
            if (errno == ESRCH) return {};
            return fail_errno("signalling dnsmasq {}", p.pid);
        }
        if (wait_exit(fd->get(), sig == SIGTERM ? 3000 : 2000)) return {};
        log.warn("dnsmasq {} ignored {}", p.pid, sig == SIGTERM ? "SIGTERM" : "SIGKILL");
    }
    return fail("dnsmasq {} did not end", p.pid);
}

}  // namespace kiste::net
