#include "runtime/init_image.hpp"

#include <fcntl.h>
#include <linux/limits.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace kiste::runtime {

namespace {
bool is_executable(const std::string& p) {
    return ::access(p.c_str(), X_OK) == 0;
}
}  // namespace

Result<std::string> find_init_binary() {
    if (const char* env = std::getenv("KISTE_INIT"); env != nullptr && *env != '\0') {
        if (!is_executable(env)) return fail_errno("KISTE_INIT={} is not executable", env);
        return std::string(env);
    }
    char self[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        std::string dir(self);
        dir.erase(dir.find_last_of('/') + 1);
        if (is_executable(dir + "kiste-init")) return dir + "kiste-init";
    }
    std::string installed = std::string(KISTE_LIBEXECDIR) + "/kiste-init";
    if (is_executable(installed)) return installed;
    return fail("kiste-init not found next to the kiste binary nor in {} (set KISTE_INIT)",
                KISTE_LIBEXECDIR);
}

Result<UniqueFd> sealed_copy(const std::string& path) {
    UniqueFd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!src) return fail_errno("opening {}", path);
    struct stat st {};
    if (::fstat(src.get(), &st) < 0) return fail_errno("stat {}", path);
    UniqueFd mem(::memfd_create("kiste-init", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!mem) return fail_errno("memfd_create for {}", path);
    off_t left = st.st_size;
    while (left > 0) {
        ssize_t n = ::sendfile(mem.get(), src.get(), nullptr, static_cast<size_t>(left));
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno("copying {} into a memfd", path);
        }
        if (n == 0) return fail("copying {}: file shrank", path);
        left -= n;
    }
    if (::fchmod(mem.get(), 0555) < 0) return fail_errno("chmod of the memfd copy of {}", path);
    if (::fcntl(mem.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) <
        0)
        return fail_errno("sealing the memfd copy of {}", path);
    return mem;
}

}  // namespace kiste::runtime
