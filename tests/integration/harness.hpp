// Shared helpers of the root integration tests: running kiste, a throwaway
// busybox rootfs, temp dirs, and "nothing left behind" checks.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace kiste::test {

struct RunResult {
    int code = -1;  // exit code, or 128+N for a signal
    std::string out;
    std::string err;
};

// Runs argv, feeding `input` on stdin; extra_env entries ("K=V") are added.
RunResult run(const std::vector<std::string>& argv, const std::string& input = {},
              const std::vector<std::string>& extra_env = {});

// A temporary directory removed (recursively, without crossing mounts) at the end.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

private:
    std::string path_;
};

void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

// Builds a minimal busybox rootfs (busybox-static with its applets as links).
void make_busybox_rootfs(const std::string& dir);

// Mounts whose mount point or source mentions `needle` (from /proc/self/mountinfo).
std::vector<std::string> mounts_matching(const std::string& needle);

std::string kiste_binary();

// The "monitor_pid" of `kiste info --format json` output; 0 when absent.
pid_t monitor_pid_in(const std::string& info_json);

// Tests that download Debian run only when asked (KISTE_TEST_DEBIAN=1, as CI
// does); the bootstrap cache is $KISTE_CACHE_DIR or /var/tmp/kiste-test-cache,
// shared by every such test of a run.
bool debian_tests_wanted();
std::string debian_cache_dir();
#define KISTE_REQUIRE_DEBIAN()                                                        \
    do {                                                                              \
        if (!::kiste::test::debian_tests_wanted())                                    \
            GTEST_SKIP() << "set KISTE_TEST_DEBIAN=1 to run (downloads Debian once)"; \
    } while (0)

#define KISTE_REQUIRE_ROOT()                                \
    do {                                                    \
        if (::geteuid() != 0) GTEST_SKIP() << "needs root"; \
    } while (0)

}  // namespace kiste::test
