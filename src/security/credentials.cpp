// The credential change of the container's process: groups, gid, uid and the
// five capability sets, then no_new_privs. The order is runc's
// (finalizeNamespace): see caps.hpp for why each step comes where it does.
#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>

#include "base/scope_exit.hpp"
#include "security/caps.hpp"

namespace kiste::security {

namespace {

Status drop_bounding(uint64_t keep, uint64_t have) {
    const int last = cap_last_cap();
    for (int c = 0; c <= last; ++c) {
        // Only what is there: dropping an absent cap would need CAP_SETPCAP for nothing.
        if ((keep & cap_bit(c)) || !(have & cap_bit(c))) continue;
        if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
            return fail_errno("dropping {} from the bounding set", cap_to_name(c));
    }
    return {};
}

Status set_ids(const ProcessSpec& p) {
    const std::vector<gid_t> groups(p.additional_gids.begin(), p.additional_gids.end());
    if (::setgroups(groups.size(), groups.empty() ? nullptr : groups.data()) < 0) {
        // A user namespace whose setgroups file says "deny" cannot clear the
        // list; with none asked for, that is fine (LXC does the same).
        if (!(groups.empty() && errno == EPERM))
            return fail_errno("setting {} supplementary groups", groups.size());
    }
    if (::setresgid(p.gid, p.gid, p.gid) < 0) return fail_errno("setting the gid to {}", p.gid);
    if (::setresuid(p.uid, p.uid, p.uid) < 0) return fail_errno("setting the uid to {}", p.uid);
    return {};
}

Status set_cap_sets(const CapabilitySets& s) {
    cap_t caps = ::cap_init();
    if (caps == nullptr) return fail_errno("cap_init");
    ScopeExit free_caps([caps] { ::cap_free(caps); });
    const int last = cap_last_cap();
    for (int c = 0; c <= last; ++c) {
        cap_value_t v = c;
        if ((s.permitted & cap_bit(c)) && ::cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) < 0)
            return fail_errno("cap_set_flag");
        if ((s.effective & cap_bit(c)) && ::cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0)
            return fail_errno("cap_set_flag");
        if ((s.inheritable & cap_bit(c)) &&
            ::cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET) < 0)
            return fail_errno("cap_set_flag");
    }
    if (::cap_set_proc(caps) < 0)
        return fail_errno(
            "setting capabilities (permitted {:#x}, effective {:#x}, inheritable {:#x})",
            s.permitted, s.effective, s.inheritable);
    return {};
}

Status set_ambient(uint64_t ambient) {
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
        // Kernels before 4.3 have no ambient set: fine unless one is wanted.
        if (errno == EINVAL && ambient == 0) return {};
        return fail_errno("clearing the ambient capability set");
    }
    const int last = cap_last_cap();
    for (int c = 0; c <= last; ++c) {
        if (!(ambient & cap_bit(c))) continue;
        if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
            return fail_errno("raising {} in the ambient set", cap_to_name(c));
    }
    return {};
}

}  // namespace

Status apply_credentials_and_caps(const ProcessSpec& process, const SecurityConfig& sec) {
    CapabilitySets want;
    if (sec.caps) {
        const CapabilitySets have = KISTE_TRY(current_caps());
        want = clamp_cap_sets(*sec.caps, have);
        KISTE_TRY_CTX(drop_bounding(want.bounding, have.bounding), "the capability bounding set");
        if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return fail_errno("prctl(PR_SET_KEEPCAPS)");
    }
    KISTE_TRY(set_ids(process));
    if (sec.caps) {
        if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return fail_errno("prctl(PR_SET_KEEPCAPS)");
        KISTE_TRY_CTX(set_cap_sets(want), "the capability sets");
        KISTE_TRY_CTX(set_ambient(want.ambient), "the ambient capabilities");
    }
    if (sec.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return fail_errno("setting no_new_privs: prctl(PR_SET_NO_NEW_PRIVS)");
    return {};
}

}  // namespace kiste::security
