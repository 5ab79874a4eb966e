#include "attach/sealed_self.hpp"

#include <fcntl.h>
#include <linux/limits.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/init_image.hpp"
#include "state/run_lock.hpp"

extern char** environ;

namespace kiste::attach {

namespace {

// This process's arguments as the kernel holds them (NUL-separated).
Result<std::vector<std::string>> own_arguments() {
    UniqueFd fd(::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno("opening /proc/self/cmdline");
    std::string all;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno("reading /proc/self/cmdline");
        if (n == 0) break;
        all.append(buf, static_cast<size_t>(n));
    }
    std::vector<std::string> args;
    for (size_t pos = 0; pos < all.size();) {
        size_t end = all.find('\0', pos);
        if (end == std::string::npos) end = all.size();
        args.emplace_back(all, pos, end - pos);
        pos = end + 1;
    }
    if (args.empty()) return fail("/proc/self/cmdline is empty");
    return args;
}

// The binary's path, for the overlay way; empty when it is gone or replaced
// (then the memfd copy is made from /proc/self/exe itself).
std::string own_path() {
    char self[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return {};
    std::string p(self, static_cast<size_t>(n));
    if (p.ends_with(" (deleted)") || !p.starts_with('/')) return {};
    return p;
}

}  // namespace

bool is_sealed_image(int fd) {
    constexpr int kWriteSeals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;
    const int seals = ::fcntl(fd, F_GET_SEALS);
    if (seals >= 0) return (seals & kWriteSeals) == kWriteSeals && (seals & F_SEAL_SEAL) != 0;
    struct statfs st {};
    return ::fstatfs(fd, &st) == 0 && st.f_type == OVERLAYFS_SUPER_MAGIC &&
           (st.f_flags & ST_RDONLY) != 0;
}

Status run_from_sealed_image(const Logger& log) {
    if (std::getenv(kSealedMarker) != nullptr) {
        ::unsetenv(kSealedMarker);
        UniqueFd exe(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
        if (!exe) return fail_errno("opening /proc/self/exe");
        if (!is_sealed_image(exe.get()))
            return fail("{} is set but kiste does not run from a sealed image", kSealedMarker);
        return {};
    }
    std::vector<std::string> args = KISTE_TRY(own_arguments());
    const std::string path = own_path();
    UniqueFd mount;  // the overlay lives on through the exec'd image
    UniqueFd image =
        KISTE_TRY_CTX(path.empty() ? runtime::sealed_copy("/proc/self/exe")
                                   : runtime::sealed_image(path, state::run_root(), log, &mount),
                      "sealing kiste's binary for attach");

    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string marker = std::string(kSealedMarker) + "=1";
    std::vector<char*> envp;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) envp.push_back(*e);
    envp.push_back(marker.data());
    envp.push_back(nullptr);
    ::syscall(SYS_execveat, image.get(), "", argv.data(), envp.data(), AT_EMPTY_PATH);
    return fail_errno("re-executing kiste from its sealed image");
}

}  // namespace kiste::attach
