// The network setup's orchestration against the recording fake netlink:
// what is made where, in which order, what is recorded before it is made,
// and what teardown and crash cleanup undo.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "net/network.hpp"
#include "net_fake_netlink.hpp"

namespace kiste::test {
namespace {

using net::ContainerNetwork;

bool has(const std::vector<std::string>& log, const std::string& line) {
    return std::find(log.begin(), log.end(), line) != log.end();
}
size_t pos(const std::vector<std::string>& log, const std::string& prefix) {
    for (size_t i = 0; i < log.size(); ++i)
        if (log[i].starts_with(prefix)) return i;
    return log.size();
}

class NetSetup : public ::testing::Test {
protected:
    void SetUp() override {
        host_ = std::make_unique<FakeNetlink>("host", calls_);
        inside_ = std::make_unique<FakeNetlink>("inside", calls_);
        host_->other = inside_.get();
        host_->add_link("br0", "bridge", 1400);
        host_->addrs_["br0"] = {addr("10.250.0.1", 24), addr("fd00:4b::1", 64)};
    }

    net::NetlinkFactory factory() {
        net::NetlinkFactory f;
        f.netns = [](pid_t) -> Result<UniqueFd> {
            return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        };
        f.host = [this]() -> Result<std::unique_ptr<net::Netlink>> {
            host_raw_ = host_.get();
            return std::unique_ptr<net::Netlink>(std::move(host_));
        };
        f.sysctl = [this](const std::string& rel, const std::string& v) {
            calls_.push_back("sysctl " + rel + "=" + v);
            return Status{};
        };
        f.inside = [this](int) -> Result<std::unique_ptr<net::Netlink>> {
            inside_raw_ = inside_.get();
            return std::unique_ptr<net::Netlink>(std::move(inside_));
        };
        return f;
    }

    std::unique_ptr<ContainerNetwork> make(std::vector<NetInterface> ifs) {
        return std::make_unique<ContainerNetwork>(
            std::move(ifs), "c1", "/run/kiste-test", record_,
            [this] {
                calls_.push_back(fmt::format("persist links={} routes={} proxies={} phys={}",
                                             record_.links.size(), record_.routes.size(),
                                             record_.proxies.size(), record_.phys.size()));
                return Status{};
            },
            log_, factory());
    }

    static NetInterface veth_on_br0() {
        NetInterface i;
        i.type = "veth";
        i.link = "br0";
        i.veth_pair = "vethc1";
        i.hwaddr = "08:00:12:34:56:78";
        i.up = true;
        i.ipv4 = {addr("10.250.0.2", 24)};
        i.ipv6 = {addr("fd00:4b::2", 64)};
        i.ipv4_gateway = gateway("auto");
        i.origin = "c.conf:3";
        return i;
    }

    std::vector<std::string> calls_;
    std::unique_ptr<FakeNetlink> host_, inside_;
    FakeNetlink* host_raw_ = nullptr;
    FakeNetlink* inside_raw_ = nullptr;
    net::HostRecord record_;
    Logger log_{LogLevel::Fatal};
};

TEST(NetResolve, NamesAndRandomHwaddrDigits) {
    NetInterface a, b, c;
    a.type = b.type = c.type = "veth";
    b.name = "eth0";
    c.hwaddr = "00:16:3e:xx:xx:xx";
    auto r = net::resolve_interfaces({a, b, c});
    EXPECT_EQ(r[0].name, "eth1");  // eth0 is taken by the second
    EXPECT_EQ(r[1].name, "eth0");
    EXPECT_EQ(r[2].name, "eth2");
    ASSERT_EQ(r[2].hwaddr.size(), 17u);
    EXPECT_TRUE(r[2].hwaddr.starts_with("00:16:3e:"));
    EXPECT_EQ(r[2].hwaddr.find('x'), std::string::npos);
    // A random first octet stays unicast.
    for (int i = 0; i < 64; ++i) {
        auto hw = net::complete_hwaddr("xx:00:00:00:00:00");
        EXPECT_EQ(std::stoi(hw.substr(0, 2), nullptr, 16) & 1, 0) << hw;
    }
    NetInterface s;
    s.type = "veth";
    s.secure = true;
    EXPECT_FALSE(net::resolve_interfaces({s})[0].hwaddr.empty());
}

TEST_F(NetSetup, VethOnABridgeIsRecordedMadeMovedAndConfiguredInside) {
    auto n = make({veth_on_br0()});
    ASSERT_TRUE(n->setup(4242)) << "setup";
    // Recorded before it was made.
    EXPECT_LT(pos(calls_, "persist links=1"), pos(calls_, "host: create_veth vethc1 vp"));
    const auto& peer = n->links()[0].move_dev;
    EXPECT_TRUE(has(calls_, "host: set_mtu vethc1 1400"));  // the bridge's MTU
    EXPECT_TRUE(has(calls_, "host: bridge_attach vethc1 br0"));
    EXPECT_TRUE(has(calls_, "host: set_up vethc1 up"));
    EXPECT_TRUE(has(calls_, "host: move " + peer + " as eth0"));
    EXPECT_TRUE(has(calls_, "inside: set_hwaddr eth0 08:00:12:34:56:78"));
    EXPECT_TRUE(has(calls_, "inside: add_address eth0 10.250.0.2/24"));
    EXPECT_TRUE(has(calls_, "inside: add_address eth0 fd00:4b::2/64"));
    EXPECT_TRUE(has(calls_, "inside: set_up eth0 up"));
    // gateway auto: the bridge's address, inside the subnet (not onlink).
    EXPECT_TRUE(has(calls_, "inside: add_route 0.0.0.0/0 via 10.250.0.1 dev eth0"))
        << calls_.back();
    EXPECT_LT(pos(calls_, "inside: set_up eth0"), pos(calls_, "inside: add_route"));
    EXPECT_EQ(record_.links, std::vector<std::string>{"vethc1"});
    EXPECT_TRUE(inside_raw_->links_.contains("eth0"));

    n->teardown();
    EXPECT_TRUE(has(calls_, "host: delete_link vethc1"));
    EXPECT_FALSE(host_raw_->links_.contains("vethc1"));
    EXPECT_TRUE(record_.empty());
}

TEST_F(NetSetup, RouterModeRoutesAndProxiesAreRecordedAndRemoved) {
    NetInterface i;
    i.type = "veth";
    i.veth_mode = "router";
    i.veth_pair = "vethr";
    i.up = true;
    i.ipv4 = {addr("10.250.1.2", 32)};
    i.ipv4_gateway = gateway("10.250.1.1");
    i.veth_ipv4_routes = {prefix("10.251.0.0/16")};
    i.ipv6 = {addr("fd00:4b:1::2", 128)};
    i.ipv6_gateway = gateway("fd00:4b:1::1");
    auto n = make({i});
    ASSERT_TRUE(n->setup(1));
    EXPECT_TRUE(has(calls_, "sysctl ipv4/conf/vethr/proxy_arp=1"));
    EXPECT_TRUE(has(calls_, "sysctl ipv6/conf/vethr/proxy_ndp=1"));
    // Host routes to the container's addresses, recorded before they are made.
    EXPECT_LT(pos(calls_, "persist links=1 routes=1"),
              pos(calls_, "host: add_route 10.250.1.2/32"));
    EXPECT_TRUE(has(calls_, "host: add_route 10.250.1.2/32 dev vethr"));
    EXPECT_TRUE(has(calls_, "host: add_route fd00:4b:1::2/128 dev vethr"));
    EXPECT_TRUE(has(calls_, "host: add_route 10.251.0.0/16 dev vethr"));
    // Proxy entries for the gateways on the host end.
    EXPECT_TRUE(has(calls_, "host: add_proxy vethr 10.250.1.1"));
    EXPECT_TRUE(has(calls_, "host: add_proxy vethr fd00:4b:1::1"));
    EXPECT_TRUE(has(calls_, "inside: add_route 0.0.0.0/0 via 10.250.1.1 dev eth0 onlink"));
    EXPECT_EQ(record_.routes.size(), 3u);
    EXPECT_EQ(record_.proxies.size(), 2u);
    n->teardown();
    EXPECT_TRUE(host_raw_->routes_.empty());
    EXPECT_TRUE(host_raw_->proxies_.empty());
    EXPECT_TRUE(record_.empty());
}

TEST_F(NetSetup, RouterModeRefusesALink) {
    NetInterface i = veth_on_br0();
    i.veth_mode = "router";
    auto n = make({i});
    auto st = n->setup(1);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("a routed veth takes no link br0"), std::string::npos)
        << st.error().message();
}

// An error names the config line once: checks that lead with it are not
// prefixed with it again, errors from below (netlink) get it added.
size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

TEST_F(NetSetup, ACheckNamesTheConfigLineOnce) {
    NetInterface i = veth_on_br0();
    i.link = "br9";  // not on the fake host
    auto st = make({i})->setup(1);
    ASSERT_FALSE(st);
    const std::string msg = st.error().message();
    EXPECT_NE(msg.find("c.conf:3: the link br9: no such interface"), std::string::npos) << msg;
    EXPECT_EQ(count_of(msg, "c.conf:3"), 1U) << msg;
}

TEST_F(NetSetup, AKernelErrorGetsTheConfigLine) {
    host_->unsupported.insert("vlan");
    host_->add_link("eth9", "");
    NetInterface v;
    v.type = "vlan";
    v.link = "eth9";
    v.vlan_id = 42;
    v.origin = "c.conf:7";
    auto st = make({v})->setup(1);
    ASSERT_FALSE(st);
    EXPECT_EQ(count_of(st.error().message(), "c.conf:7"), 1U) << st.error().message();
}

TEST_F(NetSetup, GatewayOutsideTheSubnetIsOnLinkAndDevIsADeviceRoute) {
    NetInterface i = veth_on_br0();
    i.ipv4 = {addr("10.250.0.2", 32)};
    i.ipv4_gateway = gateway("10.9.9.9");
    i.ipv6_gateway = gateway("dev");
    auto n = make({i});
    ASSERT_TRUE(n->setup(1));
    EXPECT_TRUE(has(calls_, "inside: add_route 0.0.0.0/0 via 10.9.9.9 dev eth0 onlink"));
    EXPECT_TRUE(has(calls_, "inside: add_route ::/0 dev eth0"));
}

TEST_F(NetSetup, GatewayNeedsTheInterfaceUp) {
    NetInterface i = veth_on_br0();
    i.up = false;
    auto n = make({i});
    auto st = n->setup(1);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("c.conf:3: ipv4.gateway needs the interface up"),
              std::string::npos)
        << st.error().message();
    n->teardown();
    EXPECT_FALSE(host_raw_->links_.contains("vethc1"));  // a failed setup leaves nothing
    EXPECT_TRUE(record_.empty());
}

TEST_F(NetSetup, MacvlanIsMadeOnTheParentAndMovedIn) {
    NetInterface i;
    i.type = "macvlan";
    i.link = "br0";
    i.macvlan_mode = "bridge";
    i.name = "mv0";
    auto n = make({i});
    ASSERT_TRUE(n->setup(1));
    const auto& tmp = n->links()[0].move_dev;
    EXPECT_TRUE(tmp.starts_with("mv"));
    EXPECT_LT(pos(calls_, "persist links=1"), pos(calls_, "host: create_macvlan"));
    EXPECT_TRUE(has(calls_, "host: create_macvlan " + tmp + " br0 bridge"));
    EXPECT_TRUE(has(calls_, "host: move " + tmp + " as mv0"));
    n->teardown();
    EXPECT_TRUE(record_.empty());
}

TEST_F(NetSetup, VlanOnAKernelWithoutSupportSaysWhichModule) {
    host_->unsupported.insert("vlan");
    host_->add_link("eth9", "");
    NetInterface i;
    i.type = "vlan";
    i.link = "eth9";
    i.vlan_id = 42;
    auto n = make({i});
    auto st = n->setup(1);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("kernel has no vlan support (module 8021q)"),
              std::string::npos)
        << st.error().message();
    n->teardown();
    EXPECT_TRUE(record_.empty());
}

TEST_F(NetSetup, PhysIsRecordedWithItsSettingsAndGivenBack) {
    host_->add_link("ktp0", "", 1450, "02:11:22:33:44:55");
    host_->links_["ktp0"].up = true;
    NetInterface i;
    i.type = "phys";
    i.link = "ktp0";
    i.name = "eth5";
    i.mtu = 1300;
    auto n = make({i});
    ASSERT_TRUE(n->setup(1));
    ASSERT_EQ(record_.phys.size(), 1u);
    EXPECT_EQ(record_.phys[0].name, "ktp0");
    EXPECT_EQ(record_.phys[0].mtu, 1450u);
    EXPECT_TRUE(record_.phys[0].up);
    EXPECT_LT(pos(calls_, "persist links=0 routes=0 proxies=0 phys=1"),
              pos(calls_, "host: move ktp0 as eth5"));
    EXPECT_TRUE(has(calls_, "inside: set_mtu eth5 1300"));
    EXPECT_FALSE(host_raw_->links_.contains("ktp0"));

    // At stop the inside moves it back under its name; the host restores it.
    inside_raw_->other = host_raw_;
    n->teardown();
    EXPECT_TRUE(has(calls_, "inside: move eth5 as ktp0"));
    ASSERT_TRUE(host_raw_->links_.contains("ktp0"));
    EXPECT_EQ(host_raw_->links_["ktp0"].mtu, 1450u);
    EXPECT_TRUE(host_raw_->links_["ktp0"].up);
    EXPECT_TRUE(record_.empty());
}

TEST_F(NetSetup, ScriptUpAndDownGetLxcsArgumentsAndEnvironment) {
    char dir_tmpl[] = "/tmp/kiste-net-script-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_tmpl), nullptr);
    const std::string dir = dir_tmpl;
    const std::string script = dir + "/s.sh";
    {
        std::ofstream f(script);
        f << "#!/bin/sh\necho \"$* | $LXC_NAME $LXC_HOOK_TYPE $LXC_HOOK_SECTION $LXC_NET_TYPE "
             "$LXC_NET_PARENT $LXC_NET_PEER\" >> "
          << dir << "/out\n";
    }
    ::chmod(script.c_str(), 0755);
    NetInterface i = veth_on_br0();
    i.script_up = script;
    i.script_down = script;
    auto n = make({i});
    ASSERT_TRUE(n->setup(1));
    n->teardown();
    std::ifstream in(dir + "/out");
    std::string up, down;
    std::getline(in, up);
    std::getline(in, down);
    EXPECT_EQ(up, "c1 net up veth br0 vethc1 | c1 up net veth br0 vethc1");
    EXPECT_EQ(down, "c1 net down veth br0 vethc1 | c1 down net veth br0 vethc1");
    ::unlink((dir + "/out").c_str());
    ::unlink(script.c_str());
    ::rmdir(dir.c_str());
}

TEST_F(NetSetup, EmptyInterfaceRunsItsScriptsAndMakesNoDevice) {
    char dir_tmpl[] = "/tmp/kiste-net-empty-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_tmpl), nullptr);
    const std::string dir = dir_tmpl;
    const std::string script = dir + "/s.sh";
    {
        std::ofstream f(script);
        f << "#!/bin/sh\necho \"$* | $LXC_HOOK_TYPE $LXC_NET_TYPE\" >> " << dir << "/out\n";
    }
    ::chmod(script.c_str(), 0755);
    NetInterface e;
    e.type = "empty";
    e.up = true;
    e.script_up = script;
    e.script_down = script;
    e.origin = "c.conf:1";
    // Alone: no netlink, no namespace is opened (the factory's fakes would
    // log them), and the scripts run with LXC's arguments.
    auto n = make({e});
    ASSERT_TRUE(n->setup(1));
    EXPECT_EQ(host_raw_, nullptr) << "the host's netlink was opened for an empty interface";
    EXPECT_TRUE(calls_.empty());
    n->teardown();
    {
        std::ifstream in(dir + "/out");
        std::string up, down;
        std::getline(in, up);
        std::getline(in, down);
        EXPECT_EQ(up, "c1 net up empty | up empty");
        EXPECT_EQ(down, "c1 net down empty | down empty");
    }
    // Before a veth, it takes no name: the veth is still eth0.
    auto m = make({e, veth_on_br0()});
    ASSERT_TRUE(m->setup(1));
    ASSERT_EQ(m->links().size(), 2u);
    EXPECT_EQ(m->links()[1].cfg.name, "eth0");
    EXPECT_TRUE(has(calls_, "host: move " + m->links()[1].move_dev + " as eth0"));
    m->teardown();
    ::unlink((dir + "/out").c_str());
    ::unlink(script.c_str());
    ::rmdir(dir.c_str());
}

TEST_F(NetSetup, AFailingScriptUpFailsTheStartAndUndoesIt) {
    NetInterface i = veth_on_br0();
    i.script_up = "false";
    auto n = make({i});
    auto st = n->setup(1);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("script.up"), std::string::npos);
    EXPECT_NE(st.error().message().find("exit status 1"), std::string::npos)
        << st.error().message();
    n->teardown();
    EXPECT_FALSE(host_raw_->links_.contains("vethc1"));
}

TEST(NetCleanup, ARecordOfAKilledRunIsUndone) {
    std::vector<std::string> calls;
    // cleanup_record owns (and destroys) the host socket: check its calls.
    auto host = std::make_unique<FakeNetlink>("host", calls);
    host->add_link("vethdead", "veth");
    host->add_link("br0", "bridge");
    host->routes_.insert("10.250.2.2/32 dev vethdead");
    net::HostRecord r;
    r.links = {"vethdead", "vethgone"};
    r.routes = {{prefix("10.250.2.2/32"), "vethdead"}, {prefix("10.250.3.0/24"), "vethgone"}};
    r.proxies = {{ip("10.250.2.2"), "br0"}};
    net::NetlinkFactory f;
    f.host = [&]() -> Result<std::unique_ptr<net::Netlink>> {
        return std::unique_ptr<net::Netlink>(std::move(host));
    };
    Logger log(LogLevel::Fatal);
    int saved = 0;
    net::cleanup_record(
        r, log, [&] { return ++saved, Status{}; }, f);
    EXPECT_TRUE(r.empty());
    EXPECT_GE(saved, 1);
    EXPECT_TRUE(has(calls, "host: delete_link vethdead"));
    EXPECT_FALSE(has(calls, "host: delete_link br0"));
    EXPECT_TRUE(has(calls, "host: del_route 10.250.2.2/32 dev vethdead"));
    EXPECT_TRUE(has(calls, "host: del_proxy br0 10.250.2.2"));
    // Nothing is asked of a device that is gone (its entries went with it).
    EXPECT_FALSE(has(calls, "host: delete_link vethgone"));
}

}  // namespace
}  // namespace kiste::test
