#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <string>

#include "base/unique_fd.hpp"
#include "runtime/ns/namespaces.hpp"

namespace kiste::runtime::ns {

namespace {
Status write_map(pid_t pid, const char* file, const std::vector<IdMapping>& map) {
    std::string text;
    for (const auto& m : map) text += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.count);
    std::string path = fmt::format("/proc/{}/{}", pid, file);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return fail_errno("opening {}", path);
    // The kernel takes the whole map in one write.
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        return fail_errno("writing {} ({})", path, text.substr(0, text.size() - 1));
    return {};
}
}  // namespace

Status write_id_maps(pid_t pid, const ContainerSpec& spec) {
    if (!spec.ns_new(NsKind::User)) return {};
    KISTE_TRY_CTX(write_map(pid, "uid_map", spec.uid_map), "the uid mappings");
    KISTE_TRY_CTX(write_map(pid, "gid_map", spec.gid_map), "the gid mappings");
    return {};
}

Status become_ns_root() {
    if (::setresgid(0, 0, 0) < 0) return fail_errno("setresgid(0) in the new user namespace");
    if (::setresuid(0, 0, 0) < 0) return fail_errno("setresuid(0) in the new user namespace");
    // Drop the host's supplementary groups; they show as nogroup inside.
    if (::setgroups(0, nullptr) < 0 && errno != EPERM)
        return fail_errno("setgroups in the new user namespace");
    return {};
}

}  // namespace kiste::runtime::ns
