#include "state/run_lock.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace kiste::state {

std::string run_root() {
    const char* env = std::getenv("KISTE_RUN_DIR");
    return (env != nullptr && *env != '\0') ? std::string(env) : std::string("/run/kiste");
}

Status validate_name(const std::string& name) {
    if (name.empty()) return fail("container name is empty");
    if (name.size() > 200)
        return fail("container name '{}…' is longer than 200 characters", name.substr(0, 20));
    if (name == "." || name == "..") return fail("'{}' is not a valid container name", name);
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok)
            return fail("container name '{}' may hold only letters, digits, '-', '_' and '.'",
                        name);
    }
    return {};
}

std::string generate_name() {
    unsigned char bytes[6];
    if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
        // Fall back to pid and time: still unique enough for one host.
        return fmt::format("exec-{:x}-{:x}", ::getpid(), static_cast<unsigned>(::time(nullptr)));
    }
    std::string out = "exec-";
    for (unsigned char b : bytes) out += fmt::format("{:02x}", b);
    return out;
}

namespace {
Status mkdir_p(const std::string& path, mode_t mode) {
    std::string cur;
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        cur = path.substr(0, pos);
        if (cur.empty()) continue;
        if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST)
            return fail_errno("creating {}", cur);
    }
    return {};
}

// Removes the files of a run directory (no subdirectories are made there).
void remove_dir_files(const std::string& dir) {
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (n == "." || n == "..") continue;
            ::unlink((dir + "/" + n).c_str());
        }
        ::closedir(d);
    }
    ::rmdir(dir.c_str());
}
}  // namespace

Result<RunLock> RunLock::acquire(const std::string& root, const std::string& name) {
    KISTE_TRY(validate_name(name));
    KISTE_TRY(mkdir_p(root, 0755));
    RunLock rl;
    rl.dir_ = root + "/" + name;
    if (::mkdir(rl.dir_.c_str(), 0700) < 0 && errno != EEXIST)
        return fail_errno("creating the runtime directory {}", rl.dir_);
    std::string lock_path = rl.dir_ + "/lock";
    rl.lock_.reset(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!rl.lock_) {
        rl.dir_.clear();
        return fail_errno("opening {}", lock_path);
    }
    if (::flock(rl.lock_.get(), LOCK_EX | LOCK_NB) < 0) {
        int err = errno;
        rl.dir_.clear();  // not ours: the destructor must not remove it
        if (err == EWOULDBLOCK)
            return fail(Error(EBUSY, fmt::format("container {} is already running", name)));
        return fail(Error(err, fmt::format("locking {}", lock_path)));
    }
    // The lock may have been taken from a kiste that was killed: its
    // directory could have been removed between our open and flock.
    struct stat a {
    }, b{};
    if (::fstat(rl.lock_.get(), &a) < 0 || ::stat(lock_path.c_str(), &b) < 0 ||
        a.st_ino != b.st_ino) {
        rl.dir_.clear();
        return fail(
            Error(EAGAIN, fmt::format("container {} changed state while locking; retry", name)));
    }
    return rl;
}

RunLock::~RunLock() {
    if (dir_.empty() || !lock_) return;
    // Unlink while holding the lock so no newcomer locks a dying file.
    remove_dir_files(dir_);
}

}  // namespace kiste::state
