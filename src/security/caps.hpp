// Capabilities: names <-> numbers, masks, and the credential change of the
// container's process (groups, gid, uid, then bounding / permitted /
// effective / inheritable / ambient sets, then no_new_privs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/sys.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::security {

constexpr uint64_t cap_bit(int cap) {
    return uint64_t{1} << cap;
}

// The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap,
// probed without /proc so it works before /proc is mounted).
int cap_last_cap();
// Every capability up to cap_last_cap().
uint64_t all_caps_mask();

// "sys_admin", "CAP_SYS_ADMIN", "Sys_Admin" or a number ("21") -> 21. Numbers
// above cap_last_cap() and unknown names are errors.
Result<int> cap_from_name(std::string_view name);
// 21 -> "CAP_SYS_ADMIN" (the OCI spelling); an unnamed number -> "CAP_45".
std::string cap_to_name(int cap);

// Every name through cap_from_name; the error names the bad entry.
Result<uint64_t> caps_mask_from_names(const std::vector<std::string>& names);
// The names of the bits set, lowest first ("CAP_CHOWN", ...).
std::vector<std::string> caps_mask_to_names(uint64_t mask);

// lxc.cap.drop: every set the process would have, less `drop`; nothing is
// inherited or ambient (a root process regains its sets from the bounding set
// at exec anyway).
CapabilitySets cap_sets_drop(uint64_t drop);
// lxc.cap.keep: only `keep` in every set, ambient and inheritable included,
// so a non-root lxc.init.uid keeps them across exec.
CapabilitySets cap_sets_keep(uint64_t keep);

// What of `want` this process can reach from `have`: the kernel lets a process
// only lower its bounding and permitted sets, effective must lie in permitted,
// inheritable in the old permitted/inheritable and the new bounding set,
// ambient in permitted and inheritable. A capability the host never granted
// (here: CAP_SYS_RESOURCE) therefore silently stays absent, as with LXC.
CapabilitySets clamp_cap_sets(const CapabilitySets& want, const CapabilitySets& have);

// The calling thread's five sets (bounding via PR_CAPBSET_READ, ambient via
// PR_CAP_AMBIENT_IS_SET).
Result<CapabilitySets> current_caps(Sys& sys);

// The credential change, in four steps that must run in this order (the
// container's child runs them as separate steps of runtime::finish_child):
//  1. drop_bounding_set: drop the bounding set (needs CAP_SETPCAP, which the
//     uid change may take), then PR_SET_KEEPCAPS so the permitted set
//     survives a change to a non-zero uid. Returns the sets to reach (the
//     spec's, clamped to what this process has); nullopt when sec.caps is
//     unset: the starter's sets stay, and a uid change drops them as the
//     kernel does.
//  2. set_credentials: setgroups (an empty list clears the host's groups;
//     EPERM where a user namespace denies setgroups is ignored for an empty
//     list), setresgid, setresuid.
//  3. set_cap_sets: PR_SET_KEEPCAPS off, capset inheritable/permitted/
//     effective (the uid change cleared the effective set), then ambient:
//     clear all, raise each (needs the cap in permitted and inheritable).
//  4. set_no_new_privs: PR_SET_NO_NEW_PRIVS when sec.no_new_privs.
Result<std::optional<CapabilitySets>> drop_bounding_set(Sys& sys, const SecurityConfig& sec);
Status set_credentials(Sys& sys, const ProcessSpec& process);
Status set_cap_sets(Sys& sys, const std::optional<CapabilitySets>& want);
Status set_no_new_privs(Sys& sys, const SecurityConfig& sec);
// All four, in order (an attached process).
Status apply_credentials_and_caps(Sys& sys, const ProcessSpec& process, const SecurityConfig& sec);

}  // namespace kiste::security
