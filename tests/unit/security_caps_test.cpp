#include <gtest/gtest.h>

#include <linux/capability.h>

#include <fstream>
#include <string>

#include "security/caps.hpp"

namespace kiste::security {
namespace {

TEST(SecurityCaps, NamesInEverySpelling) {
    for (const char* n : {"sys_admin", "CAP_SYS_ADMIN", "Sys_Admin", "cap_sys_admin", "21"}) {
        auto r = cap_from_name(n);
        ASSERT_TRUE(r) << n << ": " << r.error().message();
        EXPECT_EQ(*r, CAP_SYS_ADMIN) << n;
    }
    EXPECT_EQ(*cap_from_name("chown"), CAP_CHOWN);
    EXPECT_EQ(*cap_from_name("NET_BIND_SERVICE"), CAP_NET_BIND_SERVICE);
    EXPECT_EQ(*cap_from_name("0"), 0);
}

TEST(SecurityCaps, BadNames) {
    for (const char* n : {"", "bogus", "cap_", "sys admin", "21x", "-1", "all"}) {
        auto r = cap_from_name(n);
        EXPECT_FALSE(r) << n;
    }
    auto r = cap_from_name("bogus");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("unknown capability 'bogus'"), std::string::npos);
    auto big = cap_from_name(std::to_string(cap_last_cap() + 1));
    ASSERT_FALSE(big);
    EXPECT_NE(big.error().message().find("out of range"), std::string::npos);
}

TEST(SecurityCaps, ToName) {
    EXPECT_EQ(cap_to_name(CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
    EXPECT_EQ(cap_to_name(CAP_CHOWN), "CAP_CHOWN");
    EXPECT_EQ(cap_to_name(CAP_NET_BIND_SERVICE), "CAP_NET_BIND_SERVICE");
    EXPECT_EQ(cap_to_name(63), "CAP_63");
    // Round trip for every cap this kernel knows.
    for (int c = 0; c <= cap_last_cap(); ++c) {
        auto back = cap_from_name(cap_to_name(c));
        ASSERT_TRUE(back) << c;
        EXPECT_EQ(*back, c);
    }
}

TEST(SecurityCaps, LastCapMatchesProc) {
    std::ifstream f("/proc/sys/kernel/cap_last_cap");
    int last = -1;
    if (!(f >> last)) GTEST_SKIP() << "no /proc/sys/kernel/cap_last_cap";
    EXPECT_EQ(cap_last_cap(), last);
    EXPECT_EQ(all_caps_mask(), (uint64_t{1} << (last + 1)) - 1);
}

TEST(SecurityCaps, MaskFromNames) {
    auto m = caps_mask_from_names({"chown", "CAP_NET_BIND_SERVICE", "21"});
    ASSERT_TRUE(m);
    EXPECT_EQ(*m, cap_bit(CAP_CHOWN) | cap_bit(CAP_NET_BIND_SERVICE) | cap_bit(CAP_SYS_ADMIN));
    EXPECT_EQ(*caps_mask_from_names({}), 0u);
    EXPECT_FALSE(caps_mask_from_names({"chown", "nope"}));
    EXPECT_EQ(caps_mask_to_names(*m),
              (std::vector<std::string>{"CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"}));
    EXPECT_TRUE(caps_mask_to_names(0).empty());
}

TEST(SecurityCaps, DropSets) {
    const uint64_t drop = cap_bit(CAP_SYS_ADMIN) | cap_bit(CAP_SYS_MODULE);
    CapabilitySets s = cap_sets_drop(drop);
    EXPECT_EQ(s.bounding, all_caps_mask() & ~drop);
    EXPECT_EQ(s.permitted, s.bounding);
    EXPECT_EQ(s.effective, s.bounding);
    EXPECT_EQ(s.inheritable, 0u);
    EXPECT_EQ(s.ambient, 0u);
    EXPECT_EQ(cap_sets_drop(0).bounding, all_caps_mask());
}

TEST(SecurityCaps, KeepSets) {
    const uint64_t keep = cap_bit(CAP_CHOWN) | cap_bit(CAP_NET_BIND_SERVICE);
    CapabilitySets s = cap_sets_keep(keep);
    for (uint64_t v : {s.bounding, s.permitted, s.effective, s.inheritable, s.ambient})
        EXPECT_EQ(v, keep);
    // Bits beyond the kernel's last cap never appear.
    EXPECT_EQ(cap_sets_keep(~uint64_t{0}).bounding, all_caps_mask());
    EXPECT_EQ(cap_sets_keep(0).bounding, 0u);
}

TEST(SecurityCaps, ClampToWhatTheProcessHas) {
    const uint64_t sys_resource = cap_bit(CAP_SYS_RESOURCE);
    CapabilitySets have;
    have.bounding = all_caps_mask() & ~sys_resource;  // like this machine
    have.permitted = have.effective = have.bounding;

    // Drop: CAP_SYS_RESOURCE, never granted, stays absent; nothing else changes.
    const uint64_t drop = cap_bit(CAP_SYS_ADMIN);
    CapabilitySets c = clamp_cap_sets(cap_sets_drop(drop), have);
    EXPECT_EQ(c.bounding, all_caps_mask() & ~drop & ~sys_resource);
    EXPECT_EQ(c.permitted, c.bounding);
    EXPECT_EQ(c.effective, c.bounding);
    EXPECT_EQ(c.inheritable, 0u);
    EXPECT_EQ(c.ambient, 0u);

    // Keep with a cap the host lacks: it is not kept anywhere.
    const uint64_t keep = cap_bit(CAP_CHOWN) | sys_resource;
    c = clamp_cap_sets(cap_sets_keep(keep), have);
    for (uint64_t v : {c.bounding, c.permitted, c.effective, c.inheritable, c.ambient})
        EXPECT_EQ(v, cap_bit(CAP_CHOWN));

    // Effective only within permitted; ambient only within permitted and inheritable.
    CapabilitySets want;
    want.bounding = all_caps_mask();
    want.permitted = cap_bit(CAP_CHOWN);
    want.effective = cap_bit(CAP_CHOWN) | cap_bit(CAP_KILL);
    want.inheritable = cap_bit(CAP_KILL);
    want.ambient = cap_bit(CAP_CHOWN) | cap_bit(CAP_KILL);
    c = clamp_cap_sets(want, have);
    EXPECT_EQ(c.effective, cap_bit(CAP_CHOWN));
    EXPECT_EQ(c.inheritable, cap_bit(CAP_KILL));
    EXPECT_EQ(c.ambient, 0u);

    // Inheritable may not come from nowhere: it needs the old permitted or inheritable.
    CapabilitySets poor;
    poor.bounding = all_caps_mask();
    want = cap_sets_keep(cap_bit(CAP_CHOWN));
    c = clamp_cap_sets(want, poor);
    EXPECT_EQ(c.inheritable, 0u);
    EXPECT_EQ(c.permitted, 0u);
    EXPECT_EQ(c.bounding, cap_bit(CAP_CHOWN));
}

uint64_t status_mask(const std::string& field) {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.starts_with(field + ":"))
            return std::stoull(line.substr(field.size() + 1), nullptr, 16);
    return ~uint64_t{0};
}

TEST(SecurityCaps, CurrentCapsMatchProcStatus) {
    RealSys sys;
    auto c = current_caps(sys);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->bounding, status_mask("CapBnd"));
    EXPECT_EQ(c->effective, status_mask("CapEff"));
    EXPECT_EQ(c->permitted, status_mask("CapPrm"));
    EXPECT_EQ(c->inheritable, status_mask("CapInh"));
    EXPECT_EQ(c->ambient, status_mask("CapAmb"));
}

}  // namespace
}  // namespace kiste::security
