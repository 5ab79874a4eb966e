// The cgroup v2 device filter: the compiled program run by a small BPF
// interpreter (only the instructions the compiler emits), so the rules'
// semantics are tested without loading anything into the kernel.
#include <gtest/gtest.h>

#include <cstring>

#include "cgroup/v2/devices.hpp"

namespace kiste::cgroup::v2::devices {
namespace {

// 1 = allowed. type: 'c' or 'b'; access: a subset of "rwm".
int run(const std::vector<bpf_insn>& prog, char type, uint32_t major, uint32_t minor,
        const std::string& access) {
    uint32_t acc = 0;
    for (char c : access)
        acc |= c == 'm' ? BPF_DEVCG_ACC_MKNOD : c == 'r' ? BPF_DEVCG_ACC_READ : BPF_DEVCG_ACC_WRITE;
    bpf_cgroup_dev_ctx ctx{(acc << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                           major, minor};
    uint64_t r[11] = {};
    for (size_t pc = 0; pc < prog.size(); ++pc) {
        const bpf_insn& i = prog[pc];
        switch (i.code) {
            case BPF_LDX | BPF_W | BPF_MEM: {
                EXPECT_EQ(i.src_reg, 1);
                uint32_t v = 0;
                std::memcpy(&v, reinterpret_cast<const char*>(&ctx) + i.off, 4);
                r[i.dst_reg] = v;
                break;
            }
            case BPF_ALU | BPF_MOV | BPF_X:
                r[i.dst_reg] = static_cast<uint32_t>(r[i.src_reg]);
                break;
            case BPF_ALU | BPF_AND | BPF_K:
                r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) & static_cast<uint32_t>(i.imm);
                break;
            case BPF_ALU | BPF_RSH | BPF_K:
                r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) >> i.imm;
                break;
            case BPF_ALU64 | BPF_MOV | BPF_K:
                r[i.dst_reg] = static_cast<uint64_t>(int64_t{i.imm});
                break;
            case BPF_JMP | BPF_JNE | BPF_K:
                if (r[i.dst_reg] != static_cast<uint64_t>(int64_t{i.imm})) pc += i.off;
                break;
            case BPF_JMP | BPF_JEQ | BPF_K:
                if (r[i.dst_reg] == static_cast<uint64_t>(int64_t{i.imm})) pc += i.off;
                break;
            case BPF_JMP | BPF_EXIT: return static_cast<int>(r[0]);
            default: ADD_FAILURE() << "unexpected opcode " << int(i.code); return -1;
        }
    }
    ADD_FAILURE() << "ran off the end";
    return -1;
}

std::vector<DeviceRule> rules(std::initializer_list<std::pair<bool, const char*>> list) {
    std::vector<DeviceRule> out;
    for (auto [allow, text] : list) {
        auto r = parse_rule(text, allow);
        EXPECT_TRUE(r) << text;
        if (r) out.push_back(*r);
    }
    return out;
}

TEST(CgroupDevices, ParsesRules) {
    auto r = parse_rule("c 1:3 rwm", true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, 'c');
    EXPECT_EQ(r->major, 1);
    EXPECT_EQ(r->minor, 3);
    EXPECT_EQ(r->access, "rwm");
    auto wild = parse_rule("b *:* m", false);
    ASSERT_TRUE(wild);
    EXPECT_EQ(wild->major, -1);
    EXPECT_FALSE(wild->allow);
    EXPECT_EQ(parse_rule("a", false)->type, 'a');
    EXPECT_FALSE(parse_rule("c 1:x rwm", true));
}

TEST(CgroupDevices, NoRulesAllowsEverything) {
    auto p = compile({});
    EXPECT_EQ(run(p, 'c', 1, 3, "rw"), 1);
    EXPECT_EQ(run(p, 'b', 8, 0, "m"), 1);
}

TEST(CgroupDevices, LxcStyleWhitelist) {
    // LXC's default set, shortened.
    auto p = compile(rules({{false, "a"},
                            {true, "c *:* m"},
                            {true, "b *:* m"},
                            {true, "c 1:3 rwm"},
                            {true, "c 1:5 rwm"},
                            {true, "c 5:0 rwm"},
                            {true, "c 136:* rwm"}}));
    EXPECT_EQ(run(p, 'c', 1, 3, "rw"), 1);     // /dev/null
    EXPECT_EQ(run(p, 'c', 136, 7, "rw"), 1);   // a pty
    EXPECT_EQ(run(p, 'c', 1, 1, "r"), 0);      // /dev/mem
    EXPECT_EQ(run(p, 'b', 8, 0, "r"), 0);      // /dev/sda: read refused
    EXPECT_EQ(run(p, 'b', 8, 0, "m"), 1);      // ...but mknod allowed
    EXPECT_EQ(run(p, 'c', 10, 200, "rw"), 0);  // /dev/net/tun
}

TEST(CgroupDevices, LastMatchingRuleWins) {
    auto p = compile(rules({{true, "c 1:3 rwm"}, {false, "c 1:3 w"}}));
    EXPECT_EQ(run(p, 'c', 1, 3, "r"), 1);
    EXPECT_EQ(run(p, 'c', 1, 3, "rw"), 0);  // any refused access denies
    EXPECT_EQ(run(p, 'c', 1, 3, "w"), 0);
    // The default (no "a") is allow, as on a cgroup without a program.
    EXPECT_EQ(run(p, 'c', 4, 1, "rw"), 1);

    auto q = compile(rules({{false, "a"}, {true, "c 1:3 r"}}));
    EXPECT_EQ(run(q, 'c', 1, 3, "r"), 1);
    EXPECT_EQ(run(q, 'c', 1, 3, "rw"), 0);  // w is not granted
}

TEST(CgroupDevices, AllRuleResetsTheList) {
    auto p = compile(rules({{false, "a"}, {true, "c 1:3 rwm"}, {true, "a"}, {false, "b *:* rwm"}}));
    EXPECT_EQ(run(p, 'c', 1, 1, "rw"), 1);
    EXPECT_EQ(run(p, 'b', 8, 0, "r"), 0);
}

}  // namespace
}  // namespace kiste::cgroup::v2::devices
