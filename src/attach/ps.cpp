#include "attach/ps.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "attach/procfs.hpp"
#include "attach/target.hpp"

namespace kiste::attach {

namespace {

std::optional<pid_t> parse_pid(std::string_view s) {
    pid_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

// A small file, nullopt when it cannot be read (a process that just exited).
std::optional<std::string> read_text(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string out;
    char buf[8192];
    while (out.size() < (1U << 20)) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

// cgroup.procs of `dir` and of every directory below it.
void collect_cgroup(const std::string& dir, std::vector<pid_t>& out, int depth = 0) {
    if (depth > 64) return;
    if (auto text = read_text(dir + "/cgroup.procs")) {
        size_t pos = 0;
        while (pos < text->size()) {
            size_t eol = text->find('\n', pos);
            if (eol == std::string::npos) eol = text->size();
            if (auto pid = parse_pid(std::string_view(*text).substr(pos, eol - pos)))
                out.push_back(*pid);
            pos = eol + 1;
        }
    }
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    while (dirent* e = ::readdir(d)) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
        collect_cgroup(dir + "/" + e->d_name, out, depth + 1);
    }
    ::closedir(d);
}

bool same_inode(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Every process in the init's pid namespace; its mount namespace when the
// pid namespace is ours.
Result<std::vector<pid_t>> scan_namespace(const Target& t) {
    const char* ns = nullptr;
    struct stat theirs {};
    for (const char* cand : {"pid", "mnt"}) {
        struct stat ours {};
        if (::stat(fmt::format("/proc/{}/ns/{}", t.pid, cand).c_str(), &theirs) < 0)
            return fail_errno("stat /proc/{}/ns/{}", t.pid, cand);
        if (::stat(fmt::format("/proc/self/ns/{}", cand).c_str(), &ours) < 0)
            return fail_errno("stat /proc/self/ns/{}", cand);
        if (!same_inode(theirs, ours)) {
            ns = cand;
            break;
        }
    }
    if (ns == nullptr)
        return fail(
            "container {} shares our pid and mount namespaces and has no cgroup recorded: its "
            "processes cannot be told from ours",
            t.name);
    std::vector<pid_t> out;
    DIR* d = ::opendir("/proc");
    if (d == nullptr) return fail_errno("opening /proc");
    while (dirent* e = ::readdir(d)) {
        auto pid = parse_pid(e->d_name);
        struct stat st {};
        if (pid && ::stat(fmt::format("/proc/{}/ns/{}", *pid, ns).c_str(), &st) == 0 &&
            same_inode(st, theirs))
            out.push_back(*pid);
    }
    ::closedir(d);
    return out;
}

Result<std::vector<pid_t>> pids_of(const Target& t) {
    std::vector<pid_t> pids;
    if (!t.recorded.cgroup_paths.empty()) {
        for (const auto& dir : t.recorded.cgroup_paths) collect_cgroup(dir, pids);
    } else {
        pids = KISTE_TRY(scan_namespace(t));
    }
    std::sort(pids.begin(), pids.end());
    pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
    return pids;
}

std::optional<ProcessInfo> describe(pid_t pid, const std::string& uid_map,
                                    const std::string& passwd, long ticks_per_second) {
    auto status = read_text(fmt::format("/proc/{}/status", pid));
    auto stat = read_text(fmt::format("/proc/{}/stat", pid));
    auto cmdline = read_text(fmt::format("/proc/{}/cmdline", pid));
    if (!status || !stat || !cmdline) return std::nullopt;  // gone meanwhile
    ProcessInfo p;
    p.pid = pid;
    p.cpid = innermost_pid(*status).value_or(0);
    const uint32_t host_uid = real_uid(*status).value_or(0);
    const auto inner =
        uid_map.empty() ? std::optional<uint32_t>(host_uid) : map_into_ns(host_uid, uid_map);
    p.uid = inner.value_or(host_uid);
    auto entry = inner ? passwd_by_uid(passwd, *inner) : std::nullopt;
    p.user = entry && !entry->name.empty() ? printable_cmdline(entry->name) : std::to_string(p.uid);
    if (auto s = status_field(*status, "State"); s && !s->empty()) p.state = s->front();
    p.cpu_seconds =
        cpu_ticks_from_stat(*stat).value_or(0) / static_cast<uint64_t>(ticks_per_second);
    p.command = printable_cmdline(*cmdline);
    if (p.command.empty()) {
        // A kernel thread or a zombie: ps shows the name in brackets.
        p.command = "[" + printable_cmdline(status_field(*status, "Name").value_or("?")) + "]";
    }
    return p;
}

}  // namespace

Result<std::vector<pid_t>> container_pids(const state::ContainerPaths& paths) {
    Target t = KISTE_TRY(open_target(paths));
    auto pids = KISTE_TRY(pids_of(t));
    KISTE_TRY(check_alive(t));
    return pids;
}

Result<std::vector<ProcessInfo>> container_processes(const state::ContainerPaths& paths) {
    Target t = KISTE_TRY(open_target(paths));
    const std::string uid_map = KISTE_TRY(read_proc(t.pid, "uid_map"));
    const std::string passwd = KISTE_TRY(read_container_file(t, "/etc/passwd"));
    const auto pids = KISTE_TRY(pids_of(t));
    KISTE_TRY(check_alive(t));
    long hz = ::sysconf(_SC_CLK_TCK);
    if (hz <= 0) hz = 100;
    std::vector<ProcessInfo> out;
    for (pid_t pid : pids)
        if (auto p = describe(pid, uid_map, passwd, hz)) out.push_back(std::move(*p));
    return out;
}

std::string format_ps_table(const std::vector<ProcessInfo>& procs) {
    size_t user_w = 4;
    for (const auto& p : procs) user_w = std::max(user_w, std::min<size_t>(p.user.size(), 16));
    std::string out = fmt::format("{:>7} {:>7} {:<{}} {:<4} {:>8} {}\n", "PID", "CPID", "USER",
                                  user_w, "STAT", "TIME", "COMMAND");
    for (const auto& p : procs)
        out +=
            fmt::format("{:>7} {:>7} {:<{}} {:<4} {:>8} {}\n", p.pid, p.cpid, p.user.substr(0, 16),
                        user_w, p.state, format_cpu_time(p.cpu_seconds), p.command);
    return out;
}

std::string format_ps_json(const std::vector<ProcessInfo>& procs) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& p : procs)
        arr.push_back({{"pid", p.pid},
                       {"cpid", p.cpid},
                       {"user", p.user},
                       {"uid", p.uid},
                       {"state", std::string(1, p.state)},
                       {"cpu_seconds", p.cpu_seconds},
                       {"command", p.command}});
    // Invalid UTF-8 in a command line must not throw.
    return arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace kiste::attach
