#include <fcntl.h>
#include <sched.h>

#include "runtime/ns/namespaces.hpp"

namespace kiste::runtime::ns {

uint64_t clone_flags(const ContainerSpec& spec) {
    uint64_t flags = 0;
    for (const auto& [kind, cfg] : spec.namespaces) {
        // Time and cgroup are unshared by the child itself (see namespaces.hpp).
        if (cfg.mode != NamespaceConfig::Mode::New || kind == NsKind::Time ||
            kind == NsKind::Cgroup)
            continue;
        flags |= static_cast<uint64_t>(ns_clone_flag(kind));
    }
    return flags;
}

Result<JoinFds> open_joins(Sys& sys, const ContainerSpec& spec) {
    JoinFds joins;
    for (const auto& [kind, cfg] : spec.namespaces) {
        if (cfg.mode != NamespaceConfig::Mode::Join) continue;
        if (cfg.path.starts_with("name:"))
            return fail(
                "the {} namespace of the container {}: joining a namespace by container "
                "name needs a running container of that name, which `kiste execute` "
                "cannot look up; give a PID or a /proc/PID/ns/{} path",
                ns_name(kind), cfg.path.substr(5), ns_name(kind));
        if (spec.ns_new(NsKind::User) && kind != NsKind::User)
            return fail(
                "joining an existing {} namespace together with a new user namespace is "
                "not supported",
                ns_name(kind));
        UniqueFd fd =
            KISTE_TRY(reword(sys.open(cfg.path.c_str(), O_RDONLY | O_CLOEXEC, 0),
                             "opening the {} namespace {} to share", ns_name(kind), cfg.path));
        joins.fds.emplace_back(kind, std::move(fd));
    }
    return joins;
}

Status join_pid_for_children(Sys& sys, const JoinFds& joins) {
    for (const auto& [kind, fd] : joins.fds) {
        if (kind != NsKind::Pid) continue;
        KISTE_TRY(reword(sys.setns(fd.get(), CLONE_NEWPID), "joining the shared pid namespace"));
    }
    return {};
}

Status join_inside(Sys& sys, const JoinFds& joins) {
    // The user namespace first: it decides which other joins are permitted.
    for (const auto& [kind, fd] : joins.fds) {
        if (kind != NsKind::User) continue;
        KISTE_TRY(reword(sys.setns(fd.get(), CLONE_NEWUSER), "joining the shared user namespace"));
    }
    for (const auto& [kind, fd] : joins.fds) {
        if (kind == NsKind::User || kind == NsKind::Pid) continue;
        KISTE_TRY(reword(sys.setns(fd.get(), ns_clone_flag(kind)),
                         "joining the shared {} namespace", ns_name(kind)));
    }
    return {};
}

}  // namespace kiste::runtime::ns
