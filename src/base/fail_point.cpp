#include "base/fail_point.hpp"

#include <cerrno>
#include <cstdlib>

namespace kiste {

bool fail_points_built() {
#ifdef KISTE_FAIL_POINTS
    return true;
#else
    return false;
#endif
}

bool fail_point([[maybe_unused]] std::string_view step) {
#ifdef KISTE_FAIL_POINTS
    static const char* const wanted = std::getenv("KISTE_TEST_FAIL_AT");
    return wanted != nullptr && step == wanted;
#else
    return false;
#endif
}

Status check_fail_point(std::string_view step) {
    if (!fail_point(step)) return {};
    return fail(
        Error(EIO, fmt::format("injected failure at step '{}' (KISTE_TEST_FAIL_AT)", step)));
}

}  // namespace kiste
