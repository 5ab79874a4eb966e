// Which containers get their net namespace made ahead (src/runtime/ahead.hpp):
// a fresh one without a user namespace and without network devices.
#include <gtest/gtest.h>

#include "runtime/ahead.hpp"

namespace kiste::runtime {
namespace {

ContainerSpec with_new_net() {
    ContainerSpec s;
    s.namespaces[NsKind::Net].mode = NamespaceConfig::Mode::New;
    return s;
}

TEST(LaunchAhead, AFreshLoopbackOnlyNetIsMadeAhead) {
    EXPECT_TRUE(LaunchAhead::net_ns_possible(with_new_net()));
}

TEST(LaunchAhead, NotWithAUserNamespace) {
    auto s = with_new_net();
    s.namespaces[NsKind::User].mode = NamespaceConfig::Mode::New;
    EXPECT_FALSE(LaunchAhead::net_ns_possible(s));
}

TEST(LaunchAhead, NotWithNetworkInterfacesOrASharedNet) {
    auto s = with_new_net();
    NetInterface veth;
    veth.type = "veth";
    s.network.push_back(veth);
    EXPECT_FALSE(LaunchAhead::net_ns_possible(s));
    auto t = with_new_net();
    t.namespaces[NsKind::Net].mode = NamespaceConfig::Mode::Join;
    t.namespaces[NsKind::Net].path = "/proc/1/ns/net";
    EXPECT_FALSE(LaunchAhead::net_ns_possible(t));
}

TEST(LaunchAhead, NothingStartedNothingTaken) {
    LaunchAhead ahead;
    auto s = with_new_net();
    s.namespaces[NsKind::User].mode = NamespaceConfig::Mode::New;
    ahead.start(s);  // not possible: no thread
    EXPECT_FALSE(ahead.take().net_ns);
}

}  // namespace
}  // namespace kiste::runtime
