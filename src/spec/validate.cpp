#include "spec/validate.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include "security/sysctl.hpp"

namespace kiste {

namespace {

SpecProblem problem(SpecField field, Error error, size_t index = 0, std::string place = {}) {
    return SpecProblem{
        .field = field, .index = index, .place = std::move(place), .error = std::move(error)};
}

template <class... Args>
SpecProblem problem(SpecField field, fmt::format_string<Args...> f, Args&&... args) {
    return problem(field, Error::msg(fmt::format(f, std::forward<Args>(args)...)));
}

std::optional<SpecProblem> check_id_mappings(const ContainerSpec& spec) {
    const bool user_new = spec.ns_new(NsKind::User);
    if (user_new && (spec.uid_map.empty() || spec.gid_map.empty()))
        return problem(SpecField::UserNamespace,
                       "a new user namespace needs both uid and gid mappings");
    if (!user_new && (!spec.uid_map.empty() || !spec.gid_map.empty()))
        return problem(spec.uid_map.empty() ? SpecField::GidMappings : SpecField::UidMappings,
                       "uid/gid mappings need a new user namespace");
    for (const auto field : {SpecField::UidMappings, SpecField::GidMappings}) {
        const auto& map = field == SpecField::UidMappings ? spec.uid_map : spec.gid_map;
        const char* ids = field == SpecField::UidMappings ? "uid" : "gid";
        for (size_t i = 0; i < map.size(); ++i) {
            const IdMapping& m = map[i];
            if (m.count == 0)
                return problem(field,
                               Error::msg(fmt::format("the {} mapping {} -> {} maps no ids", ids,
                                                      m.container_id, m.host_id)),
                               i);
            if (uint64_t{m.container_id} + m.count > (uint64_t{1} << 32) ||
                uint64_t{m.host_id} + m.count > (uint64_t{1} << 32))
                return problem(field,
                               Error::msg(fmt::format("the {} mapping of {} ids {} -> {} passes "
                                                      "the largest 32-bit id",
                                                      ids, m.count, m.container_id, m.host_id)),
                               i);
        }
    }
    return std::nullopt;
}

std::optional<SpecProblem> check_namespaces(const ContainerSpec& spec) {
    if (auto p = check_id_mappings(spec)) return p;
    if (!spec.hostname.empty() && !spec.ns_new(NsKind::Uts))
        return problem(SpecField::Hostname,
                       "a hostname needs a private UTS namespace (it would rename the host)");
    if (!spec.domainname.empty() && !spec.ns_new(NsKind::Uts))
        return problem(SpecField::Domainname,
                       "a domain name needs a private UTS namespace (it would rename the host)");
    if ((spec.time_offset_boottime_ns || spec.time_offset_monotonic_ns) &&
        !spec.ns_new(NsKind::Time))
        return problem(SpecField::TimeOffsets, "clock offsets need a new time namespace");
    if (!spec.rootfs.path.empty() && !spec.ns_new(NsKind::Mount))
        return problem(
            SpecField::RootfsPath,
            "a rootfs needs a private mount namespace (it would change the host's mounts)");
    if (!spec.mounts.empty() && !spec.ns_new(NsKind::Mount)) {
        const MountEntry& m = spec.mounts.front();
        return problem(SpecField::Mounts,
                       Error::msg(fmt::format("a mount ({} on {}) needs a private mount "
                                              "namespace (it would change the host's mounts)",
                                              m.source, m.target)),
                       0, m.origin);
    }
    return std::nullopt;
}

std::string limit_text(uint64_t v) {
    return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
}

std::optional<SpecProblem> check_rlimits(const ProcessSpec& process) {
    for (size_t i = 0; i < process.rlimits.size(); ++i) {
        const Rlimit& rl = process.rlimits[i];
        // RLIM_INFINITY is the largest value, so plain comparison orders it right.
        if (rl.soft > rl.hard)
            return problem(
                SpecField::Rlimits,
                Error::msg(fmt::format("rlimit {}: the soft limit {} is above the hard "
                                       "limit {}",
                                       rl.name.empty() ? std::to_string(rl.resource) : rl.name,
                                       limit_text(rl.soft), limit_text(rl.hard))),
                i);
    }
    return std::nullopt;
}

}  // namespace

const char* spec_field_name(SpecField field) {
    switch (field) {
        case SpecField::ProcessArgs: return "process.args";
        case SpecField::ProcessCwd: return "process.cwd";
        case SpecField::Rlimits: return "process.rlimits";
        case SpecField::Hostname: return "hostname";
        case SpecField::Domainname: return "domainname";
        case SpecField::UserNamespace: return "linux.namespaces";
        case SpecField::UidMappings: return "linux.uidMappings";
        case SpecField::GidMappings: return "linux.gidMappings";
        case SpecField::TimeOffsets: return "linux.timeOffsets";
        case SpecField::RootfsPath: return "root.path";
        case SpecField::Mounts: return "mounts";
        case SpecField::Sysctls: return "linux.sysctl";
    }
    return "?";
}

std::optional<SpecProblem> find_problem(const ContainerSpec& spec) {
    if (spec.process.args.empty()) return problem(SpecField::ProcessArgs, "no command to run");
    if (auto p = check_namespaces(spec)) return p;
    if (auto p = check_rlimits(spec.process)) return p;
    for (size_t i = 0; i < spec.sysctls.size(); ++i)
        if (auto st = security::validate_sysctl(spec.sysctls[i].first, spec); !st)
            return problem(SpecField::Sysctls, std::move(st.error()), i);
    if (!spec.rootfs.path.empty()) {
        struct stat st {};
        if (::stat(spec.rootfs.path.c_str(), &st) < 0)
            return problem(SpecField::RootfsPath,
                           Error::from_errno(fmt::format("the rootfs {}", spec.rootfs.path)));
        if (!S_ISDIR(st.st_mode))
            return problem(SpecField::RootfsPath, "the rootfs {}: not a directory",
                           spec.rootfs.path);
    }
    if (spec.process.cwd.empty() || spec.process.cwd[0] != '/')
        return problem(SpecField::ProcessCwd, "the working directory {}: must be an absolute path",
                       spec.process.cwd);
    return std::nullopt;
}

Status validate(const ContainerSpec& spec) {
    auto p = find_problem(spec);
    if (!p) return {};
    if (p->place.empty()) return fail(std::move(p->error));
    return fail(Error(p->error.code(), fmt::format("{}: {}", p->place, p->error.message(false))));
}

}  // namespace kiste
