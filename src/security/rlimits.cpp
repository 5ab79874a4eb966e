#include "security/rlimits.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "base/unique_fd.hpp"

namespace kiste::security {

namespace {

std::string show(rlim_t v) {
    return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
}

// fs.nr_open caps RLIMIT_NOFILE even for a privileged process; 0 when unreadable.
uint64_t nr_open(Sys& sys) {
    auto opened = sys.open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC, 0);
    if (!opened) return 0;
    const UniqueFd fd = std::move(*opened);
    char buf[32];
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n <= 0) return 0;
    uint64_t v = 0;
    std::from_chars(buf, buf + n, v);
    return v;
}

}  // namespace

Status apply_rlimits(Sys& sys, const std::vector<Rlimit>& limits) {
    for (const auto& rl : limits) {
        const std::string name = rl.name.empty() ? fmt::format("resource{}", rl.resource) : rl.name;
        const rlimit want{static_cast<rlim_t>(rl.soft), static_cast<rlim_t>(rl.hard)};
        // RLIM_INFINITY is the largest rlim_t, so plain comparison orders it right.
        if (want.rlim_cur > want.rlim_max)
            return fail("rlimit {}: the soft limit {} is above the hard limit {}", name,
                        show(want.rlim_cur), show(want.rlim_max));
        const rlimit old =
            KISTE_TRY(reword(sys.getrlimit(rl.resource), "rlimit {}: getrlimit", name));
        auto set = sys.setrlimit(rl.resource, want);
        if (set) continue;
        const int err = set.error().code();
        if (err == EPERM && want.rlim_max > old.rlim_max) {
            const uint64_t cap = rl.resource == RLIMIT_NOFILE ? nr_open(sys) : 0;
            if (cap != 0 && want.rlim_max > cap)
                return fail("rlimit {}: cannot raise the hard limit to {}: above fs.nr_open ({})",
                            name, show(want.rlim_max), cap);
            return fail(
                "rlimit {}: cannot raise the hard limit from {} to {}: this host denies "
                "CAP_SYS_RESOURCE",
                name, show(old.rlim_max), show(want.rlim_max));
        }
        return fail(Error::from_errno(err, fmt::format("rlimit {}: setting soft {} hard {}", name,
                                                       show(want.rlim_cur), show(want.rlim_max))));
    }
    return {};
}

}  // namespace kiste::security
