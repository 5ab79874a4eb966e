#include "runtime/init_image.hpp"

#include <fcntl.h>
#include <linux/limits.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

namespace kiste::runtime {

namespace {
bool is_executable(const std::string& p) {
    return ::access(p.c_str(), X_OK) == 0;
}

// overlayfs splits lowerdir at ':' and takes '\\' as an escape.
std::string escaped_layer(const std::string& dir) {
    std::string out;
    for (char c : dir) {
        if (c == ':' || c == '\\' || c == ',') out += '\\';
        out += c;
    }
    return out;
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

Result<UniqueFd> sealed_overlay(const std::string& path, const std::string& other_dir,
                                UniqueFd* mount_fd) {
    const auto slash = path.find_last_of('/');
    if (!path.starts_with('/') || slash + 1 == path.size())
        return fail("{}: not an absolute file path", path);
    const std::string dir = slash == 0 ? "/" : path.substr(0, slash);
    const std::string file = path.substr(slash + 1);
    UniqueFd fs(static_cast<int>(::syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC)));
    if (!fs) return fail_errno("fsopen(overlay)");
    // Two lower layers, no upper: overlayfs needs two to mount without an
    // upper layer. The binary's directory is the top one, so `file` is found
    // there whatever the other holds; nothing can reach the other through an
    // O_PATH fd of a file.
    const std::string lower = escaped_layer(dir) + ":" + escaped_layer(other_dir);
    if (::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_STRING, "lowerdir", lower.c_str(), 0) < 0)
        return fail_errno("overlay lowerdir={}", lower);
    if (::syscall(SYS_fsconfig, fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0)
        return fail_errno("creating an overlay of {}", dir);
    UniqueFd mnt(
        static_cast<int>(::syscall(SYS_fsmount, fs.get(), FSMOUNT_CLOEXEC,
                                   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)));
    if (!mnt) return fail_errno("fsmount of the overlay of {}", dir);
    // The mount stays alive (detached, in no namespace) as long as this fd
    // or the process executing it does.
    UniqueFd exe(::openat(mnt.get(), file.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW));
    if (!exe) return fail_errno("opening {} in its overlay", file);
    if (mount_fd != nullptr) *mount_fd = std::move(mnt);
    return exe;
}

Result<UniqueFd> sealed_image(const std::string& path, const std::string& other_dir,
                              const Logger& log, UniqueFd* mount_fd) {
    auto over = sealed_overlay(path, other_dir, mount_fd);
    if (over) return over;
    log.debug("sealing {} through overlayfs: {}; copying it into a memfd", path,
              over.error().message());
    return sealed_copy(path);
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
