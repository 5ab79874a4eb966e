#include "security/sysctl.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "base/unique_fd.hpp"

namespace kiste::security {

namespace {

// The ipc namespace's sysctls (ipc/ipc_sysctl.c and ipc/mq_sysctl.c).
constexpr std::array<std::string_view, 8> kIpcKernelSysctls = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};

bool own_ns(const ContainerSpec& spec, NsKind k) {
    auto it = spec.namespaces.find(k);
    return it != spec.namespaces.end() && it->second.mode != NamespaceConfig::Mode::Host;
}

// The key in dotted form, for the namespace rules ("net/ipv4/x" -> "net.ipv4.x").
std::string dotted(std::string_view key) {
    std::string d(key);
    if (d.find('/') != std::string::npos) std::replace(d.begin(), d.end(), '/', '.');
    return d;
}

// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) keeps the write inside
// proc_sys; kernels before 5.6 fall back to O_NOFOLLOW on the last component
// (the path is already free of "..").
int open_beneath(int dirfd, const std::string& path) {
    open_how how{};
    how.flags = O_WRONLY | O_CLOEXEC | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    int fd = static_cast<int>(::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how));
    if (fd >= 0 || errno != ENOSYS) return fd;
    return ::openat(dirfd, path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
}

}  // namespace

Result<std::string> sysctl_path(std::string_view key) {
    if (key.empty()) return fail("empty sysctl name");
    if (key.front() == '/' || key.front() == '.') return fail("sysctl '{}': must be relative", key);
    std::string path(key);
    if (path.find('/') == std::string::npos) std::replace(path.begin(), path.end(), '.', '/');
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string_view part(path.data() + start, end - start);
        if (part.empty() || part == "." || part == "..")
            return fail("sysctl '{}': invalid name (empty, '.' or '..' component)", key);
        start = end + 1;
    }
    return path;
}

Status validate_sysctl(std::string_view key, const ContainerSpec& spec) {
    KISTE_TRY(sysctl_path(key));
    const std::string d = dotted(key);
    const bool ipc_key = std::find(kIpcKernelSysctls.begin(), kIpcKernelSysctls.end(), d) !=
                             kIpcKernelSysctls.end() ||
                         d.starts_with("fs.mqueue.");
    if (ipc_key) {
        if (own_ns(spec, NsKind::Ipc)) return {};
        return fail(
            "the sysctl {} belongs to the IPC namespace and the container shares the "
            "host's (writing it would change the host)",
            key);
    }
    if (d.starts_with("net.")) {
        if (own_ns(spec, NsKind::Net)) return {};
        return fail(
            "the sysctl {} belongs to the network namespace and the container shares the "
            "host's (writing it would change the host)",
            key);
    }
    if (d == "kernel.hostname" || d == "kernel.domainname") {
        if (own_ns(spec, NsKind::Uts)) return {};
        return fail(
            "the sysctl {} belongs to the UTS namespace and the container shares the "
            "host's (writing it would rename the host)",
            key);
    }
    return fail(
        "the sysctl {} is not namespaced: writing it would change the host (allowed: "
        "kernel.msg*/sem/shm* and fs.mqueue.* with an own ipc namespace, "
        "net.* with an own network namespace, kernel.hostname/domainname with an own uts "
        "namespace)",
        key);
}

Status validate_sysctls(const ContainerSpec& spec) {
    for (const auto& [key, value] : spec.sysctls) KISTE_TRY(validate_sysctl(key, spec));
    return {};
}

Status apply_sysctls(const ContainerSpec& spec, Logger& log, const std::string& proc_sys) {
    if (spec.sysctls.empty()) return {};
    KISTE_TRY(validate_sysctls(spec));
    UniqueFd dir(::open(proc_sys.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return fail_errno("sysctls: opening {}", proc_sys);
    for (const auto& [key, value] : spec.sysctls) {
        const std::string path = KISTE_TRY(sysctl_path(key));
        UniqueFd fd(open_beneath(dir.get(), path));
        if (!fd) return fail_errno("sysctl {}: opening {}/{}", key, proc_sys, path);
        ssize_t n = ::write(fd.get(), value.data(), value.size());
        if (n < 0)
            return fail_errno("sysctl {}: writing '{}' to {}/{}", key, value, proc_sys, path);
        if (static_cast<size_t>(n) != value.size())
            return fail("sysctl {}: short write of '{}' to {}/{}", key, value, proc_sys, path);
        log.debug("sysctl {} = {}", key, value);
    }
    return {};
}

}  // namespace kiste::security
