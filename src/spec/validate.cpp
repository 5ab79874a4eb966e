#include "spec/validate.hpp"

#include <sys/stat.h>

#include "security/sysctl.hpp"

namespace kiste {

namespace {

Status validate_namespaces(const ContainerSpec& spec) {
    const bool user_new = spec.ns_new(NsKind::User);
    if (user_new && (spec.uid_map.empty() || spec.gid_map.empty()))
        return fail(
            "a new user namespace needs both uid and gid mappings (lxc.idmap = u 0 100000 "
            "65536 and lxc.idmap = g 0 100000 65536)");
    if (!user_new && (!spec.uid_map.empty() || !spec.gid_map.empty()))
        return fail(
            "lxc.idmap is set but the user namespace is not created (check "
            "lxc.namespace.clone/keep)");
    for (const auto* map : {&spec.uid_map, &spec.gid_map}) {
        for (const auto& m : *map) {
            if (m.count == 0)
                return fail("lxc.idmap: a mapping of 0 ids ({} {})", m.container_id, m.host_id);
            if (uint64_t{m.container_id} + m.count > (uint64_t{1} << 32) ||
                uint64_t{m.host_id} + m.count > (uint64_t{1} << 32))
                return fail("lxc.idmap: range {} {} {} exceeds 32-bit ids", m.container_id,
                            m.host_id, m.count);
        }
    }
    if ((!spec.hostname.empty() || !spec.domainname.empty()) && !spec.ns_new(NsKind::Uts))
        return fail("lxc.uts.name = {} needs a new uts namespace (it would rename the host)",
                    spec.hostname);
    if ((spec.time_offset_boottime_ns || spec.time_offset_monotonic_ns) &&
        !spec.ns_new(NsKind::Time))
        return fail("lxc.time.offset.* needs a new time namespace");
    if (!spec.rootfs.path.empty() && !spec.ns_new(NsKind::Mount))
        return fail("lxc.rootfs.path = {} needs a new mount namespace", spec.rootfs.path);
    if (!spec.mounts.empty() && !spec.ns_new(NsKind::Mount))
        return fail("mount entries ({}) need a new mount namespace", spec.mounts.front().origin);
    return {};
}

}  // namespace

Status validate(const ContainerSpec& spec) {
    if (spec.process.args.empty()) return fail("no command to run");
    KISTE_TRY(validate_namespaces(spec));
    KISTE_TRY(security::validate_sysctls(spec));
    if (!spec.rootfs.path.empty()) {
        struct stat st {};
        if (::stat(spec.rootfs.path.c_str(), &st) < 0)
            return fail_errno("lxc.rootfs.path = {}", spec.rootfs.path);
        if (!S_ISDIR(st.st_mode))
            return fail("lxc.rootfs.path = {}: not a directory", spec.rootfs.path);
    }
    if (spec.process.cwd.empty() || spec.process.cwd[0] != '/')
        return fail("lxc.init.cwd = {}: must be an absolute path", spec.process.cwd);
    return {};
}

}  // namespace kiste
