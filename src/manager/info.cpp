#include "manager/info.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <sstream>

#include "base/child_guard.hpp"
#include "base/pipe.hpp"
#include "cgroup/cgroup.hpp"
#include "config/lxc/config.hpp"

namespace kiste::manager {

namespace {

// Addresses of the container's interfaces (not loopback), read from inside
// its network namespace by a short-lived child.
void read_addresses(pid_t init, ContainerInfo& info) {
    std::string ns = fmt::format("/proc/{}/ns/net", init);
    UniqueFd nsfd(::open(ns.c_str(), O_RDONLY | O_CLOEXEC));
    if (!nsfd) return;
    auto pipe = Pipe::make();
    if (!pipe) return;
    const pid_t pid = ::fork();
    if (pid < 0) return;
    if (pid == 0) {
        if (::setns(nsfd.get(), CLONE_NEWNET) < 0) ::_exit(1);
        ifaddrs* list = nullptr;
        if (::getifaddrs(&list) < 0) ::_exit(1);
        std::string out;
        for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
            if (a->ifa_addr == nullptr || (a->ifa_flags & IFF_LOOPBACK)) continue;
            // AF_PACKET entries carry the link's counters (getifaddrs(3)).
            if (a->ifa_addr->sa_family == AF_PACKET && a->ifa_data != nullptr) {
                const auto* st = static_cast<const rtnl_link_stats*>(a->ifa_data);
                out += fmt::format("i {} {} {} {} {}\n", a->ifa_name, st->rx_bytes, st->rx_packets,
                                   st->tx_bytes, st->tx_packets);
                continue;
            }
            char buf[INET6_ADDRSTRLEN] = {};
            if (a->ifa_addr->sa_family == AF_INET) {
                ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf,
                            sizeof buf);
                out += fmt::format("4 {}\n", buf);
            } else if (a->ifa_addr->sa_family == AF_INET6) {
                auto* in6 = reinterpret_cast<sockaddr_in6*>(a->ifa_addr);
                if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr)) continue;
                ::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
                out += fmt::format("6 {}\n", buf);
            }
        }
        (void)!::write(pipe->write.get(), out.data(), out.size());
        ::_exit(0);
    }
    ChildGuard child(pid, UniqueFd{});
    pipe->write.reset();
    nsfd.reset();
    const std::string text = read_to_end(pipe->read.get());
    (void)child.wait();
    std::istringstream ss(text);
    std::string fam, addr;
    while (ss >> fam >> addr) {
        if (fam == "i") {
            ContainerInfo::Interface i{addr};
            ss >> i.rx_bytes >> i.rx_packets >> i.tx_bytes >> i.tx_packets;
            info.interfaces.push_back(std::move(i));
            continue;
        }
        (fam == "4" ? info.ipv4 : info.ipv6).push_back(addr);
    }
}

}  // namespace

ContainerInfo gather_info(const state::ContainerPaths& paths, bool runtime) {
    ContainerInfo info;
    info.name = paths.name;
    info.config = paths.config();
    info.log = paths.log();
    if (auto cfg = lxc::load_file(paths.config()); cfg) info.autostart = cfg->start_auto;
    auto seen = state::observe(paths);
    info.state = seen.state;
    if (seen.state == state::State::Stopped || !seen.recorded) return info;
    const auto& r = *seen.recorded;
    info.pid = r.init_pid;
    info.face = state::face_name(r.face);
    info.owner_pid = r.owner_pid;
    if (r.face == state::Face::Monitor) info.monitor_pid = r.owner_pid;
    info.ttys = r.ttys;
    if (!r.config_file.empty()) info.config = r.config_file;
    // A `kiste execute` without -f has no config file and logs to stderr.
    if (r.face == state::Face::Execute) {
        if (r.config_file.empty()) info.config = "-";
        info.log = r.log_file.empty() ? "-" : r.log_file;
    }
    if (!runtime) return info;
    if (info.pid > 0) read_addresses(info.pid, info);
    if (!r.cgroup_paths.empty()) {
        if (auto cg = cgroup::open_manager(r.cgroup_paths); cg) {
            if (auto st = (*cg)->stats(); st) {
                info.memory = st->memory_usage;
                info.memory_limit = st->memory_limit;
                info.cpu_seconds = static_cast<double>(st->cpu_usage_ns) / 1e9;
                info.processes = st->pids;
                info.oom_kills = st->oom_kills;
                info.swap = st->swap_usage;
                info.memory_limit_hits = st->memory_limit_hits;
                info.pids_limit = st->pids_limit;
                info.pids_limit_hits = st->pids_limit_hits;
                info.io_read_bytes = st->io_read_bytes;
                info.io_write_bytes = st->io_write_bytes;
            }
            if (info.processes == 0)
                if (auto pids = (*cg)->pids(); pids) info.processes = pids->size();
        }
    }
    return info;
}

namespace {
nlohmann::json interfaces_json(const ContainerInfo& i) {
    auto a = nlohmann::json::array();
    for (const auto& n : i.interfaces)
        a.push_back({{"name", n.name},
                     {"rx_bytes", n.rx_bytes},
                     {"rx_packets", n.rx_packets},
                     {"tx_bytes", n.tx_bytes},
                     {"tx_packets", n.tx_packets}});
    return a;
}
}  // namespace

nlohmann::json to_json(const ContainerInfo& i) {
    return nlohmann::json{
        {"name", i.name},
        {"state", state::state_name(i.state)},
        {"pid", i.pid},
        {"monitor_pid", i.monitor_pid},
        {"face", i.face},
        {"owner_pid", i.owner_pid},
        {"ipv4", i.ipv4},
        {"ipv6", i.ipv6},
        {"interfaces", interfaces_json(i)},
        {"cpu_seconds", i.cpu_seconds},
        {"memory", {{"usage", i.memory}, {"limit", i.memory_limit}}},
        {"oom_kills", i.oom_kills},
        {"swap", i.swap},
        {"pids", {{"current", i.processes}, {"limit", i.pids_limit}}},
        {"fail_counters", {{"memory", i.memory_limit_hits}, {"pids", i.pids_limit_hits}}},
        {"io", {{"read_bytes", i.io_read_bytes}, {"write_bytes", i.io_write_bytes}}},
        {"processes", i.processes},
        {"ttys", i.ttys},
        {"config", i.config},
        {"log", i.log},
        {"autostart", i.autostart},
    };
}

std::string human_bytes(uint64_t n) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    size_t u = 0;
    while (v >= 1024 && u + 1 < std::size(units)) {
        v /= 1024;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

}  // namespace kiste::manager
