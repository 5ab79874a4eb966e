// Test-only failure injection: a named step of a start fails on purpose, so
// that the tests can check that a failed start leaves nothing behind.
//
// Compiled in only when the build has KISTE_FAIL_POINTS (the CMake option of
// that name, on in builds with tests); then KISTE_TEST_FAIL_AT=STEP makes the
// step of that name fail. Elsewhere fail_point() is a constant false. The
// steps are listed in docs/testing.md.
#pragma once

#include <string_view>

#include "kiste/error.hpp"

namespace kiste {

// Whether this build honours KISTE_TEST_FAIL_AT.
bool fail_points_built();

// True when KISTE_TEST_FAIL_AT names `step` (in a build with fail points).
bool fail_point(std::string_view step);

// fail_point() as a Status: an EIO error that names the injected step.
Status check_fail_point(std::string_view step);

}  // namespace kiste
