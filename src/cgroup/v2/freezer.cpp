#include <chrono>
#include <thread>

#include "cgroup/v2/controllers.hpp"

namespace kiste::cgroup::v2::freezer {

Status freeze(const Dir& d, int timeout_ms) {
    using Clock = std::chrono::steady_clock;
    KISTE_TRY(write_file(d, "cgroup.freeze", "1"));
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    auto step = std::chrono::microseconds(200);
    for (;;) {
        if (KISTE_TRY(frozen(d))) return {};
        if (Clock::now() >= deadline) {
            (void)write_file(d, "cgroup.freeze", "0");
            return fail("cannot freeze {}: not frozen after {} ms", d.path, timeout_ms);
        }
        std::this_thread::sleep_for(step);
        step = std::min(step * 2, std::chrono::microseconds(20000));
    }
}

Status thaw(const Dir& d) {
    return write_file(d, "cgroup.freeze", "0");
}

Result<bool> frozen(const Dir& d) {
    auto text = KISTE_TRY(read_file(d, "cgroup.events"));
    return keyed_value(text, "frozen").value_or(0) != 0;
}

}  // namespace kiste::cgroup::v2::freezer
