// What the raw clone3(2) and execve(2) calls of the launcher, attach and
// the hook runner take.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiste {

// struct clone_args of clone3(2), up to the cgroup field
// (CLONE_ARGS_SIZE_VER2); pass sizeof to the kernel.
struct CloneArgs {
    uint64_t flags = 0;
    uint64_t pidfd = 0;
    uint64_t child_tid = 0;
    uint64_t parent_tid = 0;
    uint64_t exit_signal = 0;
    uint64_t stack = 0;
    uint64_t stack_size = 0;
    uint64_t tls = 0;
    uint64_t set_tid = 0;
    uint64_t set_tid_size = 0;
    uint64_t cgroup = 0;
};

// argv/envp for execve: pointers into `v` (which must outlive them), then null.
inline std::vector<char*> c_strings(std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (auto& s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace kiste
