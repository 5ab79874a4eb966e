// The network's host record: its JSON and its place in the container's
// state record (round trip).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "net/record.hpp"
#include "state/container_state.hpp"

namespace kiste::test {
namespace {

net::HostRecord sample() {
    net::HostRecord r;
    r.links = {"vethab12cd", "mvxyz123"};
    r.routes = {{*IpPrefix::parse("10.250.0.2/32"), "vethab12cd"},
                {*IpPrefix::parse("fd00:4b::2/128"), "vethab12cd"}};
    r.proxies = {{*IpAddress::parse("10.250.0.1"), "vethab12cd"}};
    r.phys = {{"ktp0", "eth1", 17, "02:11:22:33:44:55", 1450, true}};
    r.secure_tables = {"kiste_secure_1234_0"};
    return r;
}

TEST(NetRecord, JsonRoundTrip) {
    auto r = sample();
    EXPECT_EQ(net::record_from_json(net::to_json(r)), r);
    EXPECT_TRUE(net::record_from_json(nlohmann::json::object()).empty());
    EXPECT_TRUE(net::record_from_json(nlohmann::json("garbage")).empty());
    // Readable text in the JSON, as before the addresses were typed.
    const auto j = net::to_json(r);
    EXPECT_EQ(j["routes"][1]["address"], "fd00:4b::2/128");
    EXPECT_EQ(j["proxies"][0]["address"], "10.250.0.1");
    // An entry whose address does not parse is dropped, not half-read.
    auto bad = j;
    bad["routes"][0]["address"] = "10.250.0.2";  // no prefix
    bad["proxies"][0]["address"] = "nonsense";
    auto back = net::record_from_json(bad);
    EXPECT_EQ(back.routes.size(), 1u);
    EXPECT_TRUE(back.proxies.empty());
}

class NetRecordFiles : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-net-record-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string dir_;
};

TEST_F(NetRecordFiles, StateFileKeepsTheNetworkRecord) {
    ::setenv("KISTE_RUN_DIR", dir_.c_str(), 1);
    state::ContainerPaths p{state::kDefaultLxcPath, "c1"};
    ASSERT_EQ(::mkdir(p.run_dir().c_str(), 0755), 0);
    state::RuntimeState s;
    s.state = state::State::Running;
    s.net = sample();
    s.host_netdevs = s.net.links;
    ASSERT_TRUE(state::write_state(p, s));
    auto back = state::read_state(p);
    ::unsetenv("KISTE_RUN_DIR");
    ASSERT_TRUE(back && *back);
    EXPECT_EQ((*back)->net, s.net);
    EXPECT_EQ((*back)->host_netdevs, s.host_netdevs);
}

}  // namespace
}  // namespace kiste::test
