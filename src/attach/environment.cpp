#include "attach/environment.hpp"

#include <unistd.h>

#include "security/environment.hpp"

namespace kiste::attach {

namespace {

const std::string* find_key(std::span<const std::string> env, std::string_view key) {
    for (const auto& e : env)
        if (e.size() > key.size() && e[key.size()] == '=' && security::env_key(e) == key) return &e;
    return nullptr;
}

}  // namespace

Status validate_env_entries(const std::vector<std::string>& entries) {
    for (const auto& e : entries)
        if (e.empty() || e.front() == '=') return fail("-v '{}': expected VAR=VALUE or VAR", e);
    return {};
}

std::vector<std::string> attach_environment(std::span<const std::string> caller_env, bool clear,
                                            const std::vector<std::string>& set) {
    std::vector<std::string> env;
    if (clear) {
        env.push_back("PATH=" + std::string(security::kDefaultPath));
        env.emplace_back("container=lxc");
    } else {
        for (const auto& e : caller_env)
            if (!e.empty() && e.front() != '=' && e.find('=') != std::string::npos)
                env.push_back(e);
        security::set_env_entry(env, "container=lxc");
        if (find_key(env, "PATH") == nullptr)
            env.push_back("PATH=" + std::string(security::kDefaultPath));
    }
    for (const auto& entry : set) {
        if (entry.empty() || entry.front() == '=') continue;
        if (entry.find('=') != std::string::npos) {
            security::set_env_entry(env, entry);
        } else if (const std::string* v = find_key(caller_env, entry)) {
            security::set_env_entry(env, *v);
        }
    }
    return env;
}

std::string resolve_command(const std::string& cmd, std::span<const std::string> env) {
    if (cmd.find('/') != std::string::npos || cmd.empty()) return cmd;
    std::string path(security::kDefaultPath);
    if (const std::string* p = find_key(env, "PATH")) path = p->substr(5);
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::string candidate(end > start ? std::string_view(path).substr(start, end - start)
                                          : std::string_view("."));
        candidate += '/';
        candidate += cmd;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return cmd;
}

}  // namespace kiste::attach
