// Capability names, masks and the reading of the current sets. libcap holds
// the name table, so a kernel with new capabilities needs only a new libcap.
#include "security/caps.hpp"

#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <cctype>
#include <charconv>

namespace kiste::security {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

int cap_last_cap() {
    // libcap probes the kernel with PR_CAPBSET_READ when it loads, so this
    // works before /proc is mounted and inside any namespace.
    int bits = ::cap_max_bits();
    if (bits <= 0 || bits > 64) return CAP_LAST_CAP;
    return bits - 1;
}

uint64_t all_caps_mask() {
    int last = cap_last_cap();
    return last >= 63 ? ~uint64_t{0} : (cap_bit(last + 1) - 1);
}

Result<int> cap_from_name(std::string_view name) {
    const int last = cap_last_cap();
    if (name.empty()) return fail("empty capability name");
    if (std::isdigit(static_cast<unsigned char>(name.front()))) {
        int n = -1;
        auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
        if (ec != std::errc() || p != name.data() + name.size())
            return fail("invalid capability '{}'", name);
        if (n < 0 || n > last)
            return fail("capability number {} is out of range (this kernel knows 0..{})", n, last);
        return n;
    }
    // libcap wants the cap_ prefix (in any case); LXC's configs leave it out.
    std::string full = lower(name);
    if (!full.starts_with("cap_")) full = "cap_" + full;
    cap_value_t v = -1;
    if (::cap_from_name(full.c_str(), &v) != 0 || v < 0)
        return fail("unknown capability '{}'", name);
    if (v > last)
        return fail("capability '{}' ({}) is unknown to this kernel (last is {})", name, v, last);
    return static_cast<int>(v);
}

std::string cap_to_name(int cap) {
    char* text = ::cap_to_name(static_cast<cap_value_t>(cap));
    if (text == nullptr) return "CAP_" + std::to_string(cap);
    std::string s = text;
    ::cap_free(text);
    if (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) return "CAP_" + s;
    return upper(s);
}

Result<uint64_t> caps_mask_from_names(const std::vector<std::string>& names) {
    uint64_t mask = 0;
    for (const auto& n : names) mask |= cap_bit(KISTE_TRY(cap_from_name(n)));
    return mask;
}

std::vector<std::string> caps_mask_to_names(uint64_t mask) {
    std::vector<std::string> out;
    for (int c = 0; c < 64; ++c)
        if (mask & cap_bit(c)) out.push_back(cap_to_name(c));
    return out;
}

CapabilitySets cap_sets_drop(uint64_t drop) {
    const uint64_t keep = all_caps_mask() & ~drop;
    return CapabilitySets{
        .bounding = keep, .effective = keep, .permitted = keep, .inheritable = 0, .ambient = 0};
}

CapabilitySets cap_sets_keep(uint64_t keep) {
    keep &= all_caps_mask();
    return CapabilitySets{.bounding = keep,
                          .effective = keep,
                          .permitted = keep,
                          .inheritable = keep,
                          .ambient = keep};
}

CapabilitySets clamp_cap_sets(const CapabilitySets& want, const CapabilitySets& have) {
    CapabilitySets out;
    out.bounding = want.bounding & have.bounding;
    out.permitted = want.permitted & have.permitted;
    out.effective = want.effective & out.permitted;
    out.inheritable = want.inheritable & (have.permitted | have.inheritable) & out.bounding;
    out.ambient = want.ambient & out.permitted & out.inheritable;
    return out;
}

Result<CapabilitySets> current_caps(Sys& sys) {
    CapabilitySets s;
    // capget(2) directly: libcap's cap_t would need a flag query per bit.
    const CapMasks m = KISTE_TRY(reword(sys.capget(), "capget"));
    s.effective = m.effective;
    s.permitted = m.permitted;
    s.inheritable = m.inheritable;
    const int last = cap_last_cap();
    for (int c = 0; c <= last; ++c) {
        const unsigned long cap = static_cast<unsigned long>(c);
        const int r = KISTE_TRY(reword(sys.prctl(PR_CAPBSET_READ, cap, 0, 0, 0),
                                       "prctl(PR_CAPBSET_READ, {})", cap_to_name(c)));
        if (r == 1) s.bounding |= cap_bit(c);
        // An error: a kernel without ambient caps.
        if (auto a = sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0); a && *a == 1)
            s.ambient |= cap_bit(c);
    }
    return s;
}

}  // namespace kiste::security
