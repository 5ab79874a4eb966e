// Busybox system containers for the cgroup tests: a private lxcpath and run
// dir, `kiste` with both, commands inside through `kiste attach`, and at the
// end no cgroup of the test's containers left in any hierarchy.
#pragma once

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

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

    nlohmann::json info(const std::string& name) {
        auto r = kiste({"info", "--format", "json", name});
        EXPECT_EQ(r.code, 0) << r.err;
        return nlohmann::json::parse(r.out, nullptr, false);
    }

    // kill -9 of the container's monitor, then `kiste stop`: its cgroups go.
    void kill_monitor_then_stop(const std::string& name) {
        const pid_t monitor = info(name)["monitor_pid"].get<pid_t>();
        ASSERT_GT(monitor, 1);
        ::kill(monitor, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        EXPECT_EQ(kiste({"stop", name}).code, 0);
        EXPECT_EQ(cgroup_dirs_of(name), "");
    }

    // pids.current once it has stayed the same for three reads: right after
    // `start` the container's init is still starting its gettys and rc
    // script, and a limit of "current + a few" would leave no room for the
    // attached shell itself.
    uint64_t settled_pids_current(const std::string& name) {
        uint64_t current = 0;
        for (int same = 0, tries = 0; same < 3 && tries < 50; ++tries) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            const auto now = std::stoull(kiste({"cgroup", name, "pids.current"}).out);
            same = now == current ? same + 1 : 0;
            current = now;
        }
        return current;
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
