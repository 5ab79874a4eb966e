#include "attach/target.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>

#include "attach/procfs.hpp"
#include "base/child_guard.hpp"

namespace kiste::attach {

namespace {

constexpr size_t kMaxProcFile = 1 << 20;

Result<std::string> read_all(int fd, const std::string& what, size_t limit) {
    std::string out;
    char buf[8192];
    while (out.size() < limit) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno("reading {}", what);
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

bool same_inode(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

Result<Target> open_target(const state::ContainerPaths& paths) {
    const state::Observed o = state::observe(paths);
    if (o.state != state::State::Running) {
        if (o.state == state::State::Stopped) {
            if (!o.recorded && ::access(paths.config().c_str(), F_OK) < 0)
                return fail("no container {} in {}", paths.name, paths.lxcpath);
            return fail("container {} is not running{}", paths.name,
                        o.stale ? fmt::format(" (its last run left state behind: `kiste stop "
                                              "{}` cleans it up)",
                                              paths.name)
                                : std::string());
        }
        if (o.state == state::State::Frozen)
            return fail("container {} is FROZEN: unfreeze it first (kiste unfreeze {})", paths.name,
                        paths.name);
        return fail("container {} is {}, not RUNNING", paths.name, state::state_name(o.state));
    }
    Target t;
    t.name = paths.name;
    t.recorded = *o.recorded;
    t.pid = t.recorded.init_pid;
    auto pidfd = pidfd_open(t.pid);
    if (!pidfd) return fail("container {}: its init (pid {}) is gone", paths.name, t.pid);
    t.pidfd = std::move(*pidfd);
    // The pidfd names whichever process held the pid when it was opened; the
    // start time, read now, must be the recorded one, and check_alive later
    // proves it was the same process all along.
    if (state::process_start_time(t.pid) != t.recorded.init_start_time)
        return fail("container {}: pid {} is no longer its init (start time differs)", paths.name,
                    t.pid);
    return t;
}

Status check_alive(const Target& t) {
    pollfd p{t.pidfd.get(), POLLIN, 0};
    int r = ::poll(&p, 1, 0);
    if (r < 0) return fail_errno("polling the init of container {}", t.name);
    if (r > 0) return fail("container {}: its init (pid {}) exited", t.name, t.pid);
    return {};
}

Result<std::string> read_proc(pid_t pid, const std::string& what) {
    const std::string path = fmt::format("/proc/{}/{}", pid, what);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno("opening {}", path);
    return read_all(fd.get(), path, kMaxProcFile);
}

Result<NamespaceFds> open_namespaces(const Target& t) {
    static constexpr std::array<NsKind, 8> kJoinOrder = {NsKind::User,   NsKind::Mount, NsKind::Pid,
                                                         NsKind::Uts,    NsKind::Ipc,   NsKind::Net,
                                                         NsKind::Cgroup, NsKind::Time};
    NamespaceFds out;
    for (NsKind kind : kJoinOrder) {
        const std::string self = fmt::format("/proc/self/ns/{}", ns_name(kind));
        struct stat ours {};
        if (::stat(self.c_str(), &ours) < 0) {
            if (errno == ENOENT) continue;  // the kernel has no such namespace type
            return fail_errno("stat {}", self);
        }
        const std::string theirs_path = fmt::format("/proc/{}/ns/{}", t.pid, ns_name(kind));
        UniqueFd fd(::open(theirs_path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd)
            return fail_errno("opening the {} namespace of container {}", ns_name(kind), t.name);
        struct stat theirs {};
        if (::fstat(fd.get(), &theirs) < 0) return fail_errno("fstat {}", theirs_path);
        // setns into the namespace we are already in fails for a user
        // namespace (EINVAL) and is pointless for the rest.
        if (same_inode(ours, theirs)) continue;
        out.emplace_back(kind, std::move(fd));
    }
    KISTE_TRY(check_alive(t));
    return out;
}

Result<std::vector<CgroupJoin>> cgroup_joins(const Target& t) {
    std::vector<CgroupJoin> out;
    if (t.recorded.cgroup_paths.empty()) return out;
    const std::string proc_cgroup = KISTE_TRY(read_proc(t.pid, "cgroup"));
    KISTE_TRY(check_alive(t));
    for (const auto& dir : t.recorded.cgroup_paths) {
        CgroupJoin j{dir, {}};
        struct stat rec {};
        if (::stat(dir.c_str(), &rec) == 0) {
            for (const auto& cand : process_cgroup_candidates(dir, proc_cgroup)) {
                struct stat c {};
                if (cand == dir || ::stat(cand.c_str(), &c) < 0 || c.st_dev != rec.st_dev) continue;
                j.init_dir = cand;
                break;
            }
        }
        out.push_back(std::move(j));
    }
    return out;
}

Result<std::string> read_container_file(const Target& t, const std::string& path) {
    const std::string root_path = fmt::format("/proc/{}/root", t.pid);
    UniqueFd root(::open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return fail_errno("opening the root of container {}", t.name);
    KISTE_TRY(check_alive(t));
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const std::string rel = path.starts_with('/') ? path.substr(1) : path;
    int raw;
    do {
        raw = static_cast<int>(::syscall(SYS_openat2, root.get(), rel.c_str(), &how, sizeof how));
    } while (raw < 0 && errno == EAGAIN);
    UniqueFd fd(raw);
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) return std::string();
        return fail_errno("opening {} in container {}", path, t.name);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0) return fail_errno("fstat {} in container {}", path, t.name);
    if (!S_ISREG(st.st_mode)) return fail("{} in container {} is not a regular file", path, t.name);
    return read_all(fd.get(), path, 4 << 20);
}

}  // namespace kiste::attach
