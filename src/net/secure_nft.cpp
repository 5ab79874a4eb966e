#include "net/secure_nft.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <csignal>
#include <cstdint>

#include "base/unique_fd.hpp"

namespace kiste::net {
namespace {

// The rules go through the `nft` program (Debian package nftables), as
// netavark and LXC's lxc-net load theirs: kiste itself is linked statically
// (every command starts in the time of a small C program, see README.md), and
// a static program cannot load libnftables and the six libraries it needs.
// `nft -f -` runs the whole script as one kernel transaction, like the
// library's nft_run_cmd_from_buffer.
constexpr const char* kNftDirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};

Result<std::string> find_nft() {
    for (const char* dir : kNftDirs) {
        std::string path = std::string(dir) + "/nft";
        if (::access(path.c_str(), X_OK) == 0) return path;
    }
    return fail(
        "cannot find the program nft in /usr/sbin, /sbin, /usr/bin or /bin "
        "(Debian package nftables)");
}

// An anonymous file: the script in, the output out. Files rather than pipes,
// so that neither side can block on a full pipe whatever the sizes.
Result<UniqueFd> scratch_file(const char* what) {
    UniqueFd fd(::memfd_create(what, MFD_CLOEXEC));
    if (!fd) return fail_errno("memfd_create for nft's {}", what);
    return fd;
}

Result<std::string> read_all(int fd) {
    std::string out;
    if (::lseek(fd, 0, SEEK_SET) < 0) return fail_errno("rewinding nft's output");
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno("reading nft's output");
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

Result<std::string> run(const std::string& script) {
    const std::string nft = KISTE_TRY(find_nft());
    UniqueFd in = KISTE_TRY(scratch_file("script"));
    UniqueFd out = KISTE_TRY(scratch_file("stdout"));
    UniqueFd err = KISTE_TRY(scratch_file("stderr"));
    for (size_t done = 0; done < script.size();) {
        ssize_t n = ::write(in.get(), script.data() + done, script.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno("writing the nft script");
        done += static_cast<size_t>(n);
    }
    if (::lseek(in.get(), 0, SEEK_SET) < 0) return fail_errno("rewinding the nft script");

    std::string arg0 = "nft", dash_f = "-f", dash = "-";
    char* argv[] = {arg0.data(), dash_f.data(), dash.data(), nullptr};
    char path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    char* envp[] = {path_env, nullptr};
    const pid_t pid = ::fork();
    if (pid < 0) return fail_errno("forking for {}", nft);
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (::dup2(in.get(), 0) < 0 || ::dup2(out.get(), 1) < 0 || ::dup2(err.get(), 2) < 0)
            ::_exit(127);
        ::execve(nft.c_str(), argv, envp);
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return fail_errno("waiting for {}", nft);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return read_all(out.get());
    std::string why = read_all(err.get()).value_or("");
    if (why.empty())
        why = WIFEXITED(status) ? fmt::format("{} exited with status {}", nft, WEXITSTATUS(status))
                                : fmt::format("{} was killed by signal {}", nft, WTERMSIG(status));
    return fail("nftables: {}", why);
}

}  // namespace

Status nft_run(const std::string& script) {
    KISTE_TRY(run(script));
    return {};
}

Result<std::string> nft_output(const std::string& command) {
    return run(command);
}

std::string nft_table_name(std::string_view prefix, std::string_view readable,
                           std::string_view key) {
    std::string out(prefix);
    out += '_';
    for (char c : readable.substr(0, 40))
        out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    uint32_t h = 2166136261u;  // FNV-1a
    for (unsigned char c : key) h = (h ^ c) * 16777619u;
    return out + fmt::format("_{:08x}", h);
}

}  // namespace kiste::net
