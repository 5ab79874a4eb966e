#include "attach/wire.hpp"

#include <sys/socket.h>

#include <array>
#include <cstring>

namespace kiste::attach {

namespace {

enum class Type : uint32_t { Started = 1, Error = 2 };

struct Header {
    Type type;
    int32_t err;   // Error: errno
    int32_t pid;   // Started: pid; Error: the sender's exit code
    int32_t nfds;  // Started: 1 or 2
};

constexpr size_t kMaxMessage = 8192;

Status send_msg(int fd, const Header& h, std::string_view text, const int* fds, int nfds) {
    std::array<char, kMaxMessage> buf{};
    const size_t len = std::min(text.size(), buf.size() - sizeof h);
    std::memcpy(buf.data(), &h, sizeof h);
    std::memcpy(buf.data() + sizeof h, text.data(), len);
    iovec iov{buf.data(), sizeof h + len};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))]{};
    if (nfds > 0) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(static_cast<size_t>(nfds) * sizeof(int));
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(static_cast<size_t>(nfds) * sizeof(int));
        std::memcpy(CMSG_DATA(c), fds, static_cast<size_t>(nfds) * sizeof(int));
    }
    ssize_t n;
    do {
        n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return fail_errno("writing to kiste attach's channel");
    return {};
}

}  // namespace

Result<std::pair<Wire, Wire>> Wire::make_pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return fail_errno("socketpair for kiste attach's channel");
    return std::pair<Wire, Wire>(Wire(UniqueFd(sv[0])), Wire(UniqueFd(sv[1])));
}

Status Wire::send_started(pid_t pid, int pidfd, int master) {
    const int fds[2] = {pidfd, master};
    const int nfds = master >= 0 ? 2 : 1;
    return send_msg(fd_.get(), Header{Type::Started, 0, pid, nfds}, {}, fds, nfds);
}

void Wire::send_error(const Error& e, int exit_code) {
    (void)send_msg(fd_.get(), Header{Type::Error, e.code(), exit_code, 0}, e.message(false),
                   nullptr, 0);
}

Result<Wire::Message> Wire::receive() {
    std::array<char, kMaxMessage> buf{};
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))]{};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != ECONNRESET) return fail_errno("reading kiste attach's channel");

    Message m;
    // Take ownership of any fds first, so none leaks whatever follows.
    UniqueFd fds[2];
    int nfds = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (nfds < 2)
                fds[nfds++].reset(fd);
            else
                ::close(fd);
        }
    }
    if (n <= 0) return m;  // EOF
    if (static_cast<size_t>(n) < sizeof(Header))
        return fail("kiste attach's channel: short message");
    if (msg.msg_flags & MSG_CTRUNC) return fail("kiste attach's channel: file descriptors lost");
    Header h{};
    std::memcpy(&h, buf.data(), sizeof h);
    if (h.type == Type::Started) {
        if (nfds < 1) return fail("kiste attach's channel: STARTED without a pidfd");
        m.kind = Message::Kind::Started;
        m.pid = h.pid;
        m.pidfd = std::move(fds[0]);
        if (h.nfds == 2) m.master = std::move(fds[1]);
        return m;
    }
    if (h.type == Type::Error) {
        m.kind = Message::Kind::Error;
        m.error =
            Error(h.err, std::string(buf.data() + sizeof h, static_cast<size_t>(n) - sizeof h));
        m.exit_code = h.pid;
        return m;
    }
    return fail("kiste attach's channel: unknown message type {}", static_cast<uint32_t>(h.type));
}

}  // namespace kiste::attach
