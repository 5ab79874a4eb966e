// The pure parts of the debian template: arguments, cache key, the files
// it writes into the tree, the config keys it adds.
#include <gtest/gtest.h>

#include "config/lxc/config.hpp"
#include "template/debian.hpp"
#include "template/debian_setup.hpp"

namespace kiste::tmpl {
namespace {

TEST(DebianArgs, Parse) {
    auto o =
        parse_debian_args({"--release", "trixie", "--mirror=http://m.example/debian/", "-a",
                           "arm64", "--packages", "curl,git", "--packages=jq", "--flush-cache"});
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_EQ(o->release, "trixie");
    EXPECT_EQ(o->mirror, "http://m.example/debian");
    EXPECT_EQ(o->arch, "arm64");
    EXPECT_EQ(o->packages, (std::vector<std::string>{"curl", "git", "jq"}));
    EXPECT_TRUE(o->flush_cache);
    EXPECT_TRUE(parse_debian_args({})->release.empty());
    EXPECT_FALSE(parse_debian_args({"--release"}));
    EXPECT_FALSE(parse_debian_args({"--bogus"}));
    EXPECT_FALSE(parse_debian_args({"--release", "../etc"}));
    EXPECT_FALSE(parse_debian_args({"--packages", "a;rm"}));
}

TEST(DebianArgs, CacheKey) {
    EXPECT_EQ(debian_cache_key("bookworm", "amd64", {}), "bookworm-amd64");
    auto k1 = debian_cache_key("bookworm", "amd64", {"git", "curl"});
    auto k2 = debian_cache_key("bookworm", "amd64", {"curl", "git", "git"});
    EXPECT_EQ(k1, k2);
    EXPECT_TRUE(k1.starts_with("bookworm-amd64-")) << k1;
    EXPECT_NE(k1, debian_cache_key("bookworm", "amd64", {"curl"}));
}

lxc::LxcConfig config(const std::string& text) {
    auto c = lxc::load_string(text, "config");
    EXPECT_TRUE(c) << c.error().message();
    return c ? *c : lxc::LxcConfig{};
}

TEST(DebianSetup, NetworkdStaticAndDhcp) {
    auto files =
        networkd_files(config("lxc.net.0.type = veth\n"
                              "lxc.net.0.link = br0\n"
                              "lxc.net.0.ipv4.address = 10.0.3.5/24\n"
                              "lxc.net.0.ipv4.address = 10.0.4.5/24\n"
                              "lxc.net.0.ipv4.gateway = 10.0.3.1\n"
                              "lxc.net.0.ipv6.address = fd00::5/64\n"
                              "lxc.net.1.type = macvlan\n"
                              "lxc.net.1.link = eth9\n"
                              "lxc.net.1.mtu = 1400\n"
                              "lxc.net.2.type = veth\n"
                              "lxc.net.2.name = lan\n"
                              "lxc.net.2.ipv4.address = 192.168.1.2/24\n"
                              "lxc.net.2.ipv4.gateway = auto\n"
                              "lxc.net.3.type = empty\n"));
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0].first, "10-kiste-eth0.network");
    const std::string& f0 = files[0].second;
    EXPECT_NE(f0.find("Name=eth0\n"), std::string::npos) << f0;
    EXPECT_NE(f0.find("DHCP=no\n"), std::string::npos);
    EXPECT_NE(f0.find("Address=10.0.3.5/24\nAddress=10.0.4.5/24\nAddress=fd00::5/64\n"),
              std::string::npos)
        << f0;
    EXPECT_NE(f0.find("Gateway=10.0.3.1\n"), std::string::npos);
    EXPECT_NE(f0.find("KeepConfiguration=static\n"), std::string::npos);
    EXPECT_EQ(files[1].first, "10-kiste-eth1.network");
    EXPECT_NE(files[1].second.find("DHCP=ipv4\n"), std::string::npos);
    EXPECT_NE(files[1].second.find("MTUBytes=1400\n"), std::string::npos);
    EXPECT_EQ(files[2].first, "10-kiste-lan.network");
    EXPECT_EQ(files[2].second.find("Gateway="), std::string::npos);  // "auto": kiste's
}

TEST(DebianSetup, NoNetworkdOnTheHostsNetwork) {
    EXPECT_TRUE(networkd_files(config("lxc.net.0.type = none\n")).empty());
    EXPECT_TRUE(networkd_files(config("")).empty());
    EXPECT_TRUE(networkd_files(config("lxc.net.0.type = empty\n")).empty());
}

TEST(DebianSetup, UnnamedInterfacesSkipTakenNames) {
    auto files =
        networkd_files(config("lxc.net.0.type = veth\nlxc.net.0.name = eth0\n"
                              "lxc.net.1.type = veth\n"));
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[1].first, "10-kiste-eth1.network");
}

TEST(DebianSetup, Shadow) {
    EXPECT_EQ(shadow_root_passwordless("root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"),
              "root::19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n");
    EXPECT_EQ(shadow_root_passwordless("root:$6$abc$def:1::::::\n"), "root::1::::::\n");
}

TEST(DebianSetup, ConfigAdditionsOnlyWhatIsMissing) {
    std::string add = debian_config_additions(config(""));
    auto cfg = config(add);
    EXPECT_EQ(*lxc::get_key(cfg, "lxc.init.cmd"), "/sbin/init");
    EXPECT_NE(add.find("lxc.signal.halt = SIGRTMIN+3\n"), std::string::npos);
    EXPECT_NE(add.find("lxc.mount.auto = cgroup:mixed proc:mixed sys:mixed\n"), std::string::npos);
    EXPECT_NE(add.find("lxc.cap.drop = "), std::string::npos);
    EXPECT_EQ(cfg.spec.dev.tty_max, 4u);

    // Set already, legacy spelling included: not added.
    add = debian_config_additions(
        config("lxc.tty = 2\nlxc.haltsignal = SIGPWR\nlxc.cap.keep = sys_admin\n"));
    EXPECT_EQ(add.find("lxc.tty.max"), std::string::npos) << add;
    EXPECT_EQ(add.find("lxc.signal.halt"), std::string::npos);
    EXPECT_EQ(add.find("lxc.cap.drop"), std::string::npos);
}

}  // namespace
}  // namespace kiste::tmpl
