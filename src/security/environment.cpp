#include "security/environment.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "base/unique_fd.hpp"

extern char** environ;

namespace kiste::security {

namespace {

// Reads at most `limit` bytes of a regular file; empty on any trouble.
std::string read_small_file(const std::string& path, size_t limit) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd) return {};
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode)) return {};
    std::string out;
    char buf[4096];
    while (out.size() < limit) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

}  // namespace

std::string_view env_key(std::string_view entry) {
    return entry.substr(0, entry.find('='));
}

void set_env_entry(std::vector<std::string>& env, std::string entry) {
    const std::string_view key = env_key(entry);
    for (auto& e : env) {
        if (env_key(e) == key) {
            e = std::move(entry);
            return;
        }
    }
    env.push_back(std::move(entry));
}

size_t split_passwd_line(std::string_view line, std::string_view (&fields)[7]) {
    size_t n = 0, start = 0;
    while (n < 7) {
        size_t c = line.find(':', start);
        fields[n++] = line.substr(start, c == std::string_view::npos ? line.npos : c - start);
        if (c == std::string_view::npos) break;
        start = c + 1;
    }
    return n;
}

std::string home_of(uint32_t uid, const std::string& passwd) {
    const std::string text = read_small_file(passwd, 4 << 20);
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) eol = text.size();
        std::string_view line(text.data() + pos, eol - pos);
        pos = eol + 1;
        // name:password:uid:gid:gecos:home:shell
        std::string_view f[7];
        const size_t n = split_passwd_line(line, f);
        if (n < 6) continue;
        uint32_t id = 0;
        auto [p, ec] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), id);
        if (ec != std::errc() || p != f[2].data() + f[2].size() || id != uid) continue;
        if (!f[5].empty()) return std::string(f[5]);
    }
    return {};
}

std::vector<std::string> build_environment(const ProcessSpec& process,
                                           std::span<const std::string> host_env,
                                           const std::string& passwd) {
    auto host_value = [&](std::string_view key) -> const std::string* {
        for (const auto& e : host_env)
            if (env_key(e) == key && e.size() > key.size()) return &e;
        return nullptr;
    };
    std::vector<std::string> env;
    env.push_back("PATH=" + std::string(kDefaultPath));
    env.emplace_back("container=lxc");
    if (const std::string* term = host_value("TERM")) env.push_back(*term);
    std::string home = home_of(process.uid, passwd);
    env.push_back("HOME=" + (home.empty() ? std::string("/") : home));

    for (const auto& entry : process.env) {
        if (entry.empty() || entry.front() == '=') continue;
        if (entry.find('=') != std::string::npos) {
            set_env_entry(env, entry);
        } else if (const std::string* v = host_value(entry)) {
            set_env_entry(env, *v);
        }
    }
    return env;
}

std::vector<std::string> build_environment(const ProcessSpec& process) {
    std::vector<std::string> host;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) host.emplace_back(*e);
    return build_environment(process, host, "/etc/passwd");
}

}  // namespace kiste::security
