// `kiste execute -n NAME` of a container defined in the container path: as
// lxc-execute, LXCPATH/NAME/config is the config unless -f names another,
// and a container `kiste start` runs is refused. Root only.
#include <sys/stat.h>

#include <filesystem>

#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;

class ExecuteDefined : public ::testing::Test {
protected:
    void SetUp() override {
        KISTE_REQUIRE_ROOT();
        make_busybox_rootfs(rootfs());
    }
    void TearDown() override {
        if (::geteuid() != 0) return;
        for (const auto& n : started_) kiste({"stop", "-k", n});
        for (const auto& e : fs::recursive_directory_iterator(run_dir_.path()))
            ADD_FAILURE() << "left in the run dir: " << e.path();
        EXPECT_TRUE(mounts_matching(lxcpath_.path()).empty());
        EXPECT_TRUE(mounts_matching(rootfs_dir_.path()).empty());
    }

    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }
    std::string rootfs() const { return rootfs_dir_.path() + "/rootfs"; }
    void define(const std::string& name, const std::string& text) {
        fs::create_directories(lxcpath_.path() + "/" + name);
        write_file(lxcpath_.path() + "/" + name + "/config", text);
    }

    TempDir lxcpath_;
    TempDir run_dir_;
    TempDir rootfs_dir_;
    std::vector<std::string> started_;
};

constexpr const char* kProbe = "hostname; cat /proc/self/uid_map";

TEST_F(ExecuteDefined, NameLoadsTheContainersConfig) {
    define("cold-map", "lxc.rootfs.path = dir:" + rootfs() +
                           "\nlxc.uts.name = cold-map\n"
                           "lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"
                           "lxc.mount.auto = proc:mixed\n");
    auto r = kiste({"execute", "-n", "cold-map", "--", "/bin/sh", "-c",
                    std::string(kProbe) + "; test -e /etc/os-release || echo own-root"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "cold-map") << r.out;
    EXPECT_NE(r.out.find("100000"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("own-root"), std::string::npos) << r.out;
}

TEST_F(ExecuteDefined, OverridesApplyToTheContainersConfig) {
    define("ovr", "lxc.rootfs.path = dir:" + rootfs() +
                      "\nlxc.uts.name = before\n"
                      "lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"
                      "lxc.mount.auto = proc:mixed\n");
    auto r =
        kiste({"execute", "-n", "ovr", "-s", "lxc.uts.name=after", "--", "/bin/sh", "-c", kProbe});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "after") << r.out;
    EXPECT_NE(r.out.find("100000"), std::string::npos) << r.out;  // the rest of the config
}

TEST_F(ExecuteDefined, RcfileOverridesTheContainersConfig) {
    define("byfile", "lxc.rootfs.path = dir:" + rootfs() + "\nlxc.uts.name = defined\n");
    const std::string other = rootfs_dir_.path() + "/other.conf";
    write_file(other, "lxc.rootfs.path = dir:" + rootfs() + "\nlxc.uts.name = fromfile\n");
    auto r = kiste({"execute", "-n", "byfile", "-f", other, "--", "/bin/hostname"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "fromfile\n");
}

TEST_F(ExecuteDefined, UndefinedNameRunsAsBefore) {
    // No LXCPATH/NAME/config: no config at all, the host's files.
    auto r = kiste({"execute", "-n", "nowhere", "-s", "lxc.uts.name=app", "--", "/bin/sh", "-c",
                    "hostname; test -e /etc/os-release && echo host-fs"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "app\nhost-fs\n");
}

TEST_F(ExecuteDefined, RunningContainerIsRefused) {
    const std::string dir = lxcpath_.path() + "/busy";
    fs::create_directories(dir);
    auto t = run({std::string(KISTE_SOURCE_DIR) + "/templates/busybox", "--path", dir, "--name",
                  "busy", "--rootfs", dir + "/rootfs", "--ttys", "0"});
    ASSERT_EQ(t.code, 0) << t.err;
    // An init that stays until stop -k, whatever the template's init does.
    write_file(dir + "/rootfs/hold.sh", "exec sleep 600\n");
    write_file(dir + "/config", read_file(dir + "/config") + "lxc.init.cmd = /bin/sh /hold.sh\n");
    auto s = kiste({"start", "busy"});
    ASSERT_EQ(s.code, 0) << s.err;
    started_.push_back("busy");
    auto r = kiste({"execute", "-n", "busy", "--", "/bin/true"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("busy"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("running"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kiste::test
