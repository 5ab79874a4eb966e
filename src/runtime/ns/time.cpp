#include <fcntl.h>
#include <sched.h>

#include <string>

#include "base/unique_fd.hpp"
#include "runtime/ns/namespaces.hpp"

namespace kiste::runtime::ns {

namespace {
std::string offset_line(const char* clock, int64_t ns) {
    // The kernel wants seconds and a non-negative nanosecond part.
    int64_t secs = ns / 1000000000;
    int64_t rest = ns % 1000000000;
    if (rest < 0) {
        rest += 1000000000;
        secs -= 1;
    }
    return fmt::format("{} {} {}\n", clock, secs, rest);
}
}  // namespace

Status setup_time(Sys& sys, const ContainerSpec& spec) {
    if (!spec.ns_new(NsKind::Time)) return {};
    KISTE_TRY(reword(sys.unshare(CLONE_NEWTIME), "unsharing the time namespace"));
    std::string text;
    if (spec.time_offset_monotonic_ns)
        text += offset_line("monotonic", *spec.time_offset_monotonic_ns);
    if (spec.time_offset_boottime_ns)
        text += offset_line("boottime", *spec.time_offset_boottime_ns);
    if (text.empty()) return {};
    const UniqueFd fd =
        KISTE_TRY(reword(sys.open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC, 0),
                         "opening /proc/self/timens_offsets"));
    KISTE_TRY(reword(sys.write(fd.get(), text.data(), text.size()),
                     "writing the time namespace's clock offsets"));
    return {};
}

}  // namespace kiste::runtime::ns
