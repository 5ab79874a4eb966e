#include "manager/protocol.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace kiste::manager::proto {

namespace {
Result<sockaddr_un> address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return fail("socket path {} is too long", path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return addr;
}
}  // namespace

Status send(int fd, Kind kind, std::string_view payload) {
    std::string buf;
    buf.reserve(payload.size() + 1);
    buf.push_back(static_cast<char>(kind));
    buf.append(payload.substr(0, kMaxPacket - 1));
    for (;;) {
        if (::send(fd, buf.data(), buf.size(), MSG_NOSIGNAL) >= 0) return {};
        if (errno == EINTR) continue;
        return fail_errno("writing to the monitor socket");
    }
}

Result<std::optional<Packet>> receive(int fd) {
    std::vector<char> buf(kMaxPacket);
    ssize_t n;
    do {
        n = ::recv(fd, buf.data(), buf.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == ECONNRESET) return std::optional<Packet>{};
        return fail_errno("reading the monitor socket");
    }
    if (n == 0) return std::optional<Packet>{};
    Packet p{static_cast<Kind>(buf[0]), std::string(buf.data() + 1, static_cast<size_t>(n) - 1)};
    return std::optional<Packet>{std::move(p)};
}

Result<UniqueFd> listen_at(const std::string& path) {
    sockaddr_un addr = KISTE_TRY(address(path));
    UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return fail_errno("socket for {}", path);
    ::unlink(path.c_str());
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        return fail_errno("binding {}", path);
    if (::listen(fd.get(), 16) < 0) return fail_errno("listening on {}", path);
    return fd;
}

Result<UniqueFd> connect_to(const std::string& path) {
    sockaddr_un addr = KISTE_TRY(address(path));
    UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!fd) return fail_errno("socket for {}", path);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        return fail_errno("connecting to the monitor at {}", path);
    return fd;
}

Result<std::string> request(const std::string& socket_path, std::string_view req) {
    UniqueFd fd = KISTE_TRY(connect_to(socket_path));
    KISTE_TRY(send(fd.get(), Request, req));
    auto p = KISTE_TRY(receive(fd.get()));
    if (!p) return fail("the monitor closed the connection without an answer to '{}'", req);
    if (p->kind == Failure) return fail("{}", p->payload);
    return p->payload;
}

}  // namespace kiste::manager::proto
