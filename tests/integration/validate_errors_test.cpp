// A config the runtime cannot honour is refused at load, before anything is
// made, with the file:line and key of the LXC config that set it and the
// reason in the runtime's own words; for `kiste execute` and `kiste start`
// alike. Root only (both verbs need it); no container ever runs here.
#include <filesystem>

#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;

class ValidateErrors : public ::testing::Test {
protected:
    void SetUp() override { KISTE_REQUIRE_ROOT(); }
    void TearDown() override {
        if (::geteuid() != 0) return;
        for (const auto& e : fs::recursive_directory_iterator(run_dir_.path()))
            ADD_FAILURE() << "left in the run dir: " << e.path();
    }

    RunResult kiste(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {kiste_binary(), "-P", lxcpath_.path()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, {}, {"KISTE_RUN_DIR=" + run_dir_.path()});
    }

    TempDir lxcpath_;
    TempDir run_dir_;
};

TEST_F(ValidateErrors, ExecuteNamesTheLineAndKey) {
    const std::string conf = lxcpath_.path() + "/uts.conf";
    write_file(conf,
               "# a hostname, but the host's UTS namespace\n"
               "lxc.namespace.keep = uts\n"
               "lxc.uts.name = i10errors-web\n");
    auto r = kiste({"execute", "-f", conf, "--", "/bin/true"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find(conf + ":3: lxc.uts.name = i10errors-web: a hostname needs a private "
                                "UTS namespace"),
              std::string::npos)
        << r.err;
}

TEST_F(ValidateErrors, StartNamesTheLineAndKey) {
    const std::string dir = lxcpath_.path() + "/i10errors-start";
    fs::create_directories(dir + "/rootfs/sbin");
    write_file(dir + "/rootfs/sbin/init", "");
    write_file(dir + "/config", "lxc.rootfs.path = dir:" + dir +
                                    "/rootfs\n"
                                    "lxc.init.cmd = /bin/true\n"
                                    "lxc.namespace.keep = net\n"
                                    "lxc.sysctl.net.ipv4.ip_forward = 1\n");
    auto r = kiste({"start", "i10errors-start"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find(dir + "/config:4: lxc.sysctl.net.ipv4.ip_forward = 1: the sysctl "
                               "net.ipv4.ip_forward belongs to the network namespace"),
              std::string::npos)
        << r.err;
    EXPECT_NE(kiste({"info", "-s", "i10errors-start"}).out.find("STOPPED"), std::string::npos);
}

TEST_F(ValidateErrors, ConfigCheckNamesTheLineAndKey) {
    const std::string conf = lxcpath_.path() + "/idmap.conf";
    write_file(conf, "lxc.namespace.keep = user\nlxc.idmap = u 0 100000 65536\n");
    auto r = kiste({"config", "-f", conf});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find(conf + ":2: lxc.idmap = u 0 100000 65536: uid/gid mappings need a new "
                                "user namespace"),
              std::string::npos)
        << r.err;
    write_file(conf, "lxc.uts.name = i10errors-ok\n");
    r = kiste({"config", "-f", conf});
    EXPECT_EQ(r.code, 0) << r.err;
}

}  // namespace
}  // namespace kiste::test
