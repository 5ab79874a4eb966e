#include "cgroup/v2/devices.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "cgroup/values.hpp"

namespace kiste::cgroup::v2::devices {

namespace {

// The few instruction forms the program needs (the kernel's filter.h macros
// are not uapi).
bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}
bpf_insn ldx_w(uint8_t dst, uint8_t src, int16_t off) {
    return insn(BPF_LDX | BPF_W | BPF_MEM, dst, src, off, 0);
}
bpf_insn mov32_reg(uint8_t dst, uint8_t src) {
    return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) {
    return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn mov64_imm(uint8_t dst, int32_t imm) {
    return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
bpf_insn jmp_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off) {
    return insn(BPF_JMP | op | BPF_K, dst, 0, off, imm);
}
bpf_insn exit_insn() {
    return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

int access_bits(const std::string& access) {
    int bits = 0;
    for (char c : access) {
        if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
        if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
        if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
    }
    return bits;
}

bool is_all(const DeviceRule& r) {
    return r.type == 'a' && r.major < 0 && r.minor < 0 && access_bits(r.access) == 7;
}

// One rule's checks; `next` is patched to skip to the following block.
std::vector<bpf_insn> block_for(const DeviceRule& r) {
    std::vector<bpf_insn> b;
    constexpr int16_t kNext = 0x7fff;  // placeholder, patched below
    if (r.type != 'a')
        b.push_back(
            jmp_imm(BPF_JNE, 2, r.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, kNext));
    const int bits = access_bits(r.access);
    b.push_back(mov32_reg(6, 3));
    if (r.allow) {
        // Every access asked for is granted: (access & ~granted) == 0.
        b.push_back(alu32_imm(BPF_AND, 6, ~bits & 7));
        b.push_back(jmp_imm(BPF_JNE, 6, 0, kNext));
    } else {
        // Any access asked for is refused: (access & refused) != 0.
        b.push_back(alu32_imm(BPF_AND, 6, bits));
        b.push_back(jmp_imm(BPF_JEQ, 6, 0, kNext));
    }
    if (r.major >= 0) b.push_back(jmp_imm(BPF_JNE, 4, static_cast<int32_t>(r.major), kNext));
    if (r.minor >= 0) b.push_back(jmp_imm(BPF_JNE, 5, static_cast<int32_t>(r.minor), kNext));
    b.push_back(mov64_imm(0, r.allow ? 1 : 0));
    b.push_back(exit_insn());
    for (size_t i = 0; i < b.size(); ++i)
        if (BPF_CLASS(b[i].code) == BPF_JMP && b[i].off == kNext)
            b[i].off = static_cast<int16_t>(b.size() - (i + 1));
    return b;
}

long bpf(int cmd, bpf_attr& attr) {
    return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

std::vector<uint32_t> attached_ids(int cgroup_fd) {
    uint32_t ids[64] = {};
    bpf_attr attr{};
    attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = reinterpret_cast<uint64_t>(ids);
    attr.query.prog_cnt = 64;
    if (bpf(BPF_PROG_QUERY, attr) != 0) return {};
    return {ids, ids + std::min<uint32_t>(attr.query.prog_cnt, 64)};
}

}  // namespace

Result<DeviceRule> parse_rule(std::string_view text, bool allow) {
    if (!valid_device_rule(text))
        return fail("invalid device rule '{}': expected 'a' or 'c|b|a MAJ:MIN rwm'", text);
    DeviceRule r;
    r.allow = allow;
    std::vector<std::string> w;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        size_t j = text.find(' ', i);
        if (j == std::string_view::npos) j = text.size();
        if (j > i) w.emplace_back(text.substr(i, j - i));
        i = j;
    }
    r.type = w[0][0];
    if (w.size() == 1) return r;  // "a": everything, rwm
    const auto colon = w[1].find(':');
    auto num = [](const std::string& s) -> int64_t {
        return s == "*" ? -1 : static_cast<int64_t>(*parse_uint(s));
    };
    r.major = num(w[1].substr(0, colon));
    r.minor = num(w[1].substr(colon + 1));
    r.access = w[2];
    return r;
}

std::vector<bpf_insn> compile(const std::vector<DeviceRule>& rules) {
    bool default_allow = true;
    std::vector<DeviceRule> kept;
    for (const auto& r : rules) {
        if (is_all(r)) {
            default_allow = r.allow;
            kept.clear();
        } else {
            kept.push_back(r);
        }
    }
    std::vector<bpf_insn> prog = {
        ldx_w(2, 1, offsetof(bpf_cgroup_dev_ctx, access_type)),
        mov32_reg(3, 2),
        alu32_imm(BPF_AND, 2, 0xFFFF),  // r2: device type
        alu32_imm(BPF_RSH, 3, 16),      // r3: access asked for
        ldx_w(4, 1, offsetof(bpf_cgroup_dev_ctx, major)),
        ldx_w(5, 1, offsetof(bpf_cgroup_dev_ctx, minor)),
    };
    // The last matching rule decides: check from the last one back.
    for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
        auto b = block_for(*it);
        prog.insert(prog.end(), b.begin(), b.end());
    }
    prog.push_back(mov64_imm(0, default_allow ? 1 : 0));
    prog.push_back(exit_insn());
    return prog;
}

namespace {

// BPF_PROG_LOAD of the program, with the verifier's log when log_size > 0.
int load_program(const std::vector<bpf_insn>& program, char* log, uint32_t log_size) {
    static const char kLicense[] = "GPL";
    bpf_attr load{};
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = reinterpret_cast<uint64_t>(program.data());
    load.insn_cnt = static_cast<uint32_t>(program.size());
    load.license = reinterpret_cast<uint64_t>(kLicense);
    if (log_size > 0) {
        load.log_buf = reinterpret_cast<uint64_t>(log);
        load.log_size = log_size;
        load.log_level = 1;
    }
    return static_cast<int>(bpf(BPF_PROG_LOAD, load));
}

}  // namespace

Status install(const Dir& cgroup, const std::vector<bpf_insn>& program) {
    const auto old = attached_ids(cgroup.get());
    // Without a log first: before Linux 6.4 a verifier log that outgrows its
    // buffer fails the load with ENOSPC even for a valid program, and a
    // log of every instruction of LXC's default rule set is large.
    UniqueFd prog(load_program(program, nullptr, 0));
    if (!prog) {
        const int err = errno;
        // Load again with a log big enough to say why; keep its last line.
        std::vector<char> log(1 << 20, '\0');
        UniqueFd again(load_program(program, log.data(), static_cast<uint32_t>(log.size())));
        std::string why(log.data());
        while (!why.empty() && why.back() == '\n') why.pop_back();
        auto nl = why.rfind('\n');
        errno = err;
        return fail_errno(
            "loading the device filter program for {}{}", cgroup.path,
            why.empty() ? "" : " (" + why.substr(nl == std::string::npos ? 0 : nl + 1) + ")");
    }
    bpf_attr attach{};
    attach.target_fd = static_cast<uint32_t>(cgroup.get());
    attach.attach_bpf_fd = static_cast<uint32_t>(prog.get());
    attach.attach_type = BPF_CGROUP_DEVICE;
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, attach) != 0)
        return fail_errno("attaching the device filter program to {}", cgroup.path);
    for (uint32_t id : old) {
        bpf_attr get{};
        get.prog_id = id;
        UniqueFd fd(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, get)));
        if (!fd) continue;
        bpf_attr detach{};
        detach.target_fd = static_cast<uint32_t>(cgroup.get());
        detach.attach_bpf_fd = static_cast<uint32_t>(fd.get());
        detach.attach_type = BPF_CGROUP_DEVICE;
        if (bpf(BPF_PROG_DETACH, detach) != 0)
            return fail_errno("detaching the previous device filter program from {}", cgroup.path);
    }
    return {};
}

}  // namespace kiste::cgroup::v2::devices
