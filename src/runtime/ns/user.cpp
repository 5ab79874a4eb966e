#include <fcntl.h>

#include <string>

#include "base/unique_fd.hpp"
#include "runtime/ns/namespaces.hpp"

namespace kiste::runtime::ns {

namespace {
Status write_map(Sys& sys, pid_t pid, const char* file, const std::vector<IdMapping>& map) {
    std::string text;
    for (const auto& m : map) text += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.count);
    std::string path = fmt::format("/proc/{}/{}", pid, file);
    const UniqueFd fd =
        KISTE_TRY(reword(sys.open(path.c_str(), O_WRONLY | O_CLOEXEC, 0), "opening {}", path));
    // The kernel takes the whole map in one write.
    KISTE_TRY(reword(sys.write(fd.get(), text.data(), text.size()), "writing {} ({})", path,
                     text.substr(0, text.size() - 1)));
    return {};
}
}  // namespace

Status write_id_maps(Sys& sys, pid_t pid, const ContainerSpec& spec) {
    if (!spec.ns_new(NsKind::User)) return {};
    KISTE_TRY_CTX(write_map(sys, pid, "uid_map", spec.uid_map), "the uid mappings");
    KISTE_TRY_CTX(write_map(sys, pid, "gid_map", spec.gid_map), "the gid mappings");
    return {};
}

Status become_ns_root(Sys& sys) {
    KISTE_TRY(reword(sys.setresgid(0, 0, 0), "setresgid(0) in the new user namespace"));
    KISTE_TRY(reword(sys.setresuid(0, 0, 0), "setresuid(0) in the new user namespace"));
    // Drop the host's supplementary groups; they show as nogroup inside.
    if (auto st = sys.setgroups(0, nullptr); !st && st.error().code() != EPERM)
        return reword(std::move(st), "setgroups in the new user namespace");
    return {};
}

}  // namespace kiste::runtime::ns
