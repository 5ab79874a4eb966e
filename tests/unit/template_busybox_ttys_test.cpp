// The busybox template's default ttys: one, as LXC's busybox template, since
// each tty costs the host a pty for the container's whole life (no root needed).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

TEST(TemplateBusybox, DefaultsToOneTtyBesideTheConsole) {
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "no /bin/busybox (busybox-static)";
    const fs::path dir = fs::temp_directory_path() / ("kiste-bbtty-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string cmd = std::string(KISTE_SOURCE_DIR) + "/templates/busybox --path " +
                            dir.string() + " --name bbtty --rootfs " + dir.string() +
                            "/rootfs >/dev/null";
    const int rc = std::system(cmd.c_str());
    const std::string config = slurp(dir / "config");
    const std::string inittab = slurp(dir / "rootfs/etc/inittab");
    fs::remove_all(dir);
    ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd;
    EXPECT_NE(config.find("\nlxc.tty.max = 1\n"), std::string::npos) << config;
    // The console keeps its shell (kiste console's default, -t 0), and tty1 has one.
    EXPECT_NE(inittab.find("\n::askfirst:-/bin/sh\n"), std::string::npos) << inittab;
    EXPECT_NE(inittab.find("\ntty1::askfirst:-/bin/sh\n"), std::string::npos) << inittab;
    EXPECT_EQ(inittab.find("tty2::"), std::string::npos) << inittab;
}

// A container the template made keeps no capability to load modules, do raw
// I/O, set the host's clock or change MAC policy (found by a cold try: the
// template wrote no drop, so root inside could call adjtimex), while a
// config with a keep list or an empty drop (which clears the list) is left
// alone.
TEST(TemplateBusybox, DropsLxcsCommonCapabilitiesUnlessTheConfigChose) {
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "no /bin/busybox (busybox-static)";
    const fs::path dir = fs::temp_directory_path() / ("kiste-bbcap-" + std::to_string(::getpid()));
    auto make = [&](const std::string& given) {
        fs::remove_all(dir);
        fs::create_directories(dir);
        if (!given.empty()) std::ofstream(dir / "config") << given;
        const std::string cmd = std::string(KISTE_SOURCE_DIR) + "/templates/busybox --path " +
                                dir.string() + " --name bbcap --rootfs " + dir.string() +
                                "/rootfs >/dev/null";
        const int rc = std::system(cmd.c_str());
        EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd;
        return slurp(dir / "config");
    };
    std::string config = make("");
    EXPECT_NE(
        config.find("\nlxc.cap.drop = mac_admin mac_override sys_module sys_rawio sys_time\n"),
        std::string::npos)
        << config;
    config = make("lxc.cap.keep = sys_admin\n");
    EXPECT_EQ(config.find("lxc.cap.drop"), std::string::npos) << config;
    // A drop of the config's own adds to the list (LXC's semantics): the
    // template's drop still comes (a cold try found a config with one drop
    // keeping sys_module, sys_rawio and sys_time).
    config = make("lxc.cap.drop = sys_admin\n");
    EXPECT_NE(
        config.find("\nlxc.cap.drop = mac_admin mac_override sys_module sys_rawio sys_time\n"),
        std::string::npos)
        << config;
    // An empty drop clears the list: the config chose none.
    config = make("lxc.cap.drop =\n");
    EXPECT_EQ(config.find("sys_rawio"), std::string::npos) << config;
    fs::remove_all(dir);
}

}  // namespace
