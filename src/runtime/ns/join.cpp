#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

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

Result<JoinFds> open_joins(const ContainerSpec& spec) {
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
        UniqueFd fd(::open(cfg.path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return fail_errno("opening the {} namespace {} to share", ns_name(kind), cfg.path);
        joins.fds.emplace_back(kind, std::move(fd));
    }
    return joins;
}

Status join_pid_for_children(const JoinFds& joins) {
    for (const auto& [kind, fd] : joins.fds) {
        if (kind != NsKind::Pid) continue;
        if (::setns(fd.get(), CLONE_NEWPID) < 0)
            return fail_errno("joining the shared pid namespace");
    }
    return {};
}

Status join_inside(const JoinFds& joins) {
    // The user namespace first: it decides which other joins are permitted.
    for (const auto& [kind, fd] : joins.fds) {
        if (kind != NsKind::User) continue;
        if (::setns(fd.get(), CLONE_NEWUSER) < 0)
            return fail_errno("joining the shared user namespace");
    }
    for (const auto& [kind, fd] : joins.fds) {
        if (kind == NsKind::User || kind == NsKind::Pid) continue;
        if (::setns(fd.get(), ns_clone_flag(kind)) < 0)
            return fail_errno("joining the shared {} namespace", ns_name(kind));
    }
    return {};
}

}  // namespace kiste::runtime::ns
