// Busybox system containers for the cgroup tests: a private lxcpath and run
// dir, `kiste` with both, commands inside through `kiste attach`, and at the
// end no cgroup of the test's containers left in any hierarchy.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness.hpp"

namespace kiste::test {

class CgroupContainers : public ::testing::Test {
protected:
    void SetUp() override { KISTE_REQUIRE_ROOT(); }
    void TearDown() override {
        if (::geteuid() != 0) return;
        for (const auto& n : names_) kiste({"stop", "-k", n});
        for (const auto& n : names_) EXPECT_EQ(cgroup_dirs_of(n), "") << "cgroups left of " << n;
    }

    RunResult kiste(const std::vector<std::string>& args, const std::string& input = {}) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, input, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }

    // A busybox container (templates/busybox) whose config starts with `config`.
    void add_container(const std::string& name, const std::string& config) {
        const std::string dir = lxcpath_.path() + "/" + name;
        std::filesystem::create_directories(dir);
        write_file(dir + "/config", config);
        auto r = run({std::string(KISTE_SOURCE_DIR) + "/templates/busybox", "--path", dir, "--name",
                      name, "--rootfs", dir + "/rootfs"});
        ASSERT_EQ(r.code, 0) << r.err;
        names_.push_back(name);
    }

    // /bin/sh -c script inside the running container.
    RunResult sh(const std::string& name, const std::string& script) {
        return kiste({"attach", name, "--", "/bin/sh", "-c", script});
    }

    // Every dir named `name` below the host's cgroup mounts, one a line.
    static std::string cgroup_dirs_of(const std::string& name) {
        return run({"/bin/sh", "-c",
                    "find /sys/fs/cgroup -mindepth 2 -type d -name '" + name + "' 2>/dev/null"})
            .out;
    }

    std::string config_path(const std::string& name) const {
        return lxcpath_.path() + "/" + name + "/config";
    }

    TempDir lxcpath_;
    TempDir run_dir_;
    std::vector<std::string> names_;
};

// A unique container name per test process (cgroups are machine-wide).
inline std::string unique_name(const char* what) {
    return std::string("kcg") + std::to_string(::getpid()) + "-" + what;
}

}  // namespace kiste::test
