#include "state/run_lock.hpp"

#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace kiste::state {

Status validate_name(const std::string& name) {
    if (name.empty()) return fail("container name is empty");
    if (name.size() > 64) return fail("container name '{}' is longer than 64 characters", name);
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
        return fmt::format("exec-{:x}-{:x}", ::getpid(), static_cast<unsigned>(::time(nullptr)));
    }
    std::string out = "exec-";
    for (unsigned char b : bytes) out += fmt::format("{:02x}", b);
    return out;
}

namespace {
// The abstract address; long run roots are cut from the front, the name is
// always kept whole (names are at most 64 characters).
socklen_t lock_address(const std::string& root, const std::string& name, sockaddr_un& addr) {
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    std::string id = "kiste:" + root + "/" + name;
    const size_t room = sizeof addr.sun_path - 1;  // sun_path[0] is the abstract marker
    if (id.size() > room) id = id.substr(id.size() - room);
    std::memcpy(addr.sun_path + 1, id.data(), id.size());
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + id.size());
}
}  // namespace

Result<NameLock> NameLock::acquire(const std::string& root, const std::string& name) {
    KISTE_TRY(validate_name(name));
    NameLock lock;
    lock.sock_.reset(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!lock.sock_) return fail_errno("socket for the name lock of {}", name);
    sockaddr_un addr{};
    socklen_t len = lock_address(root, name, addr);
    if (::bind(lock.sock_.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0) {
        if (errno == EADDRINUSE)
            return fail(Error(EBUSY, fmt::format("container {} is already running", name)));
        return fail_errno("taking the name lock of {}", name);
    }
    return lock;
}

bool NameLock::held(const std::string& root, const std::string& name) {
    UniqueFd probe(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!probe) return false;
    sockaddr_un addr{};
    socklen_t len = lock_address(root, name, addr);
    if (::bind(probe.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0)
        return errno == EADDRINUSE;
    return false;
}

}  // namespace kiste::state
