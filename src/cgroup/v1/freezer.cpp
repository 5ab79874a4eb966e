#include <chrono>
#include <thread>

#include "cgroup/v1/controllers.hpp"

namespace kiste::cgroup::v1::freezer {

Status freeze(const Dir& d, int timeout_ms) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    auto step = std::chrono::microseconds(200);
    for (;;) {
        // Writing FROZEN again nudges tasks that were busy in the kernel.
        KISTE_TRY(write_file(d, "freezer.state", "FROZEN"));
        auto state = KISTE_TRY(read_file(d, "freezer.state"));
        if (state == "FROZEN") return {};
        if (Clock::now() >= deadline) {
            (void)write_file(d, "freezer.state", "THAWED");
            return fail("cannot freeze {}: still {} after {} ms (a task stuck in the kernel?)",
                        d.path, state, timeout_ms);
        }
        std::this_thread::sleep_for(step);
        step = std::min(step * 2, std::chrono::microseconds(20000));
    }
}

Status thaw(const Dir& d) {
    return write_file(d, "freezer.state", "THAWED");
}

Result<bool> frozen(const Dir& d) {
    auto state = KISTE_TRY(read_file(d, "freezer.state"));
    return state == "FROZEN";
}

}  // namespace kiste::cgroup::v1::freezer
