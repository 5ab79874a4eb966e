// The credential change of the container's process: groups, gid, uid and the
// five capability sets, then no_new_privs. The order is runc's
// (finalizeNamespace): see caps.hpp for why each step comes where it does.
#include <sys/prctl.h>

#include <cerrno>
#include <optional>
#include <vector>

#include "security/caps.hpp"

namespace kiste::security {

namespace {

Status drop_bounding(Sys& sys, uint64_t keep, uint64_t have) {
    const int last = cap_last_cap();
    for (int c = 0; c <= last; ++c) {
        // Only what is there: dropping an absent cap would need CAP_SETPCAP for nothing.
        if ((keep & cap_bit(c)) || !(have & cap_bit(c))) continue;
        KISTE_TRY(reword(sys.prctl(PR_CAPBSET_DROP, static_cast<unsigned long>(c), 0, 0, 0),
                         "dropping {} from the bounding set", cap_to_name(c)));
    }
    return {};
}

Status set_ambient(Sys& sys, uint64_t ambient) {
    if (auto r = sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); !r) {
        // Kernels before 4.3 have no ambient set: fine unless one is wanted.
        if (r.error().code() == EINVAL && ambient == 0) return {};
        return fail(Error::from_errno(r.error().code(), "clearing the ambient capability set"));
    }
    const int last = cap_last_cap();
    for (int c = 0; c <= last; ++c) {
        if (!(ambient & cap_bit(c))) continue;
        KISTE_TRY(reword(
            sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, static_cast<unsigned long>(c), 0, 0),
            "raising {} in the ambient set", cap_to_name(c)));
    }
    return {};
}

}  // namespace

Result<std::optional<CapabilitySets>> drop_bounding_set(Sys& sys, const SecurityConfig& sec) {
    if (!sec.caps) return std::nullopt;
    const CapabilitySets have = KISTE_TRY(current_caps(sys));
    const CapabilitySets want = clamp_cap_sets(*sec.caps, have);
    KISTE_TRY_CTX(drop_bounding(sys, want.bounding, have.bounding), "the capability bounding set");
    KISTE_TRY(reword(sys.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)"));
    return want;
}

Status set_credentials(Sys& sys, const ProcessSpec& p) {
    const std::vector<gid_t> groups(p.additional_gids.begin(), p.additional_gids.end());
    if (auto st = sys.setgroups(groups.size(), groups.empty() ? nullptr : groups.data()); !st) {
        // A user namespace whose setgroups file says "deny" cannot clear the
        // list; with none asked for, that is fine (LXC does the same).
        if (!(groups.empty() && st.error().code() == EPERM))
            return reword(std::move(st), "setting {} supplementary groups", groups.size());
    }
    KISTE_TRY(reword(sys.setresgid(p.gid, p.gid, p.gid), "setting the gid to {}", p.gid));
    KISTE_TRY(reword(sys.setresuid(p.uid, p.uid, p.uid), "setting the uid to {}", p.uid));
    return {};
}

Status set_cap_sets(Sys& sys, const std::optional<CapabilitySets>& want) {
    if (!want) return {};
    KISTE_TRY(reword(sys.prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)"));
    const CapMasks m{.effective = want->effective,
                     .permitted = want->permitted,
                     .inheritable = want->inheritable};
    KISTE_TRY_CTX(reword(sys.capset(m),
                         "setting capabilities (permitted {:#x}, effective {:#x}, "
                         "inheritable {:#x})",
                         m.permitted, m.effective, m.inheritable),
                  "the capability sets");
    KISTE_TRY_CTX(set_ambient(sys, want->ambient), "the ambient capabilities");
    return {};
}

Status set_no_new_privs(Sys& sys, const SecurityConfig& sec) {
    if (!sec.no_new_privs) return {};
    KISTE_TRY(reword(sys.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
                     "setting no_new_privs: prctl(PR_SET_NO_NEW_PRIVS)"));
    return {};
}

Status apply_credentials_and_caps(Sys& sys, const ProcessSpec& process, const SecurityConfig& sec) {
    const std::optional<CapabilitySets> want = KISTE_TRY(drop_bounding_set(sys, sec));
    KISTE_TRY(set_credentials(sys, process));
    KISTE_TRY(set_cap_sets(sys, want));
    return set_no_new_privs(sys, sec);
}

}  // namespace kiste::security
