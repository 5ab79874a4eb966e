#include "runtime/channel.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace kiste::runtime {

namespace {
struct Header {
    MsgType type;
    int32_t arg;
};
constexpr size_t kMaxMessage = size_t{64} * 1024;
}  // namespace

Result<std::pair<Channel, Channel>> Channel::make_pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return fail_errno("creating the launch channel");
    return std::pair<Channel, Channel>{Channel(UniqueFd(sv[0])), Channel(UniqueFd(sv[1]))};
}

Status Channel::send(MsgType t, int32_t arg, const std::string& text, const std::vector<int>& fds) {
    if (fds.size() > kMaxFds) return fail("launch channel: {} fds in one message", fds.size());
    std::vector<char> buf(sizeof(Header) + std::min(text.size(), kMaxMessage - sizeof(Header)));
    Header h{t, arg};
    std::memcpy(buf.data(), &h, sizeof h);
    std::memcpy(buf.data() + sizeof h, text.data(), buf.size() - sizeof h);
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)]{};
    if (!fds.empty()) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    for (;;) {
        ssize_t n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
        if (n >= 0) return {};
        if (errno == EINTR) continue;
        return fail_errno("sending on the launch channel");
    }
}

Result<Channel::Message> Channel::receive(int peer_pidfd) {
    for (;;) {
        pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {peer_pidfd, POLLIN, 0}};
        int nfds = peer_pidfd >= 0 ? 2 : 1;
        int rc = ::poll(fds, static_cast<nfds_t>(nfds), -1);
        if (rc < 0) {
            if (errno == EINTR) continue;
            return fail_errno("waiting on the launch channel");
        }
        if (fds[0].revents != 0) break;
        // The peer exited; drain what it may still have sent before giving up.
        pollfd again{fd_.get(), POLLIN, 0};
        if (::poll(&again, 1, 0) > 0) break;
        Message m;
        m.eof = true;
        return m;
    }
    // Not zeroed: a fresh 64 KiB would cost the child a page fault per page.
    std::unique_ptr<char[]> buf(new char[kMaxMessage]);
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    iovec iov{buf.get(), kMaxMessage};
    msghdr msg{};
    ssize_t n;
    bool reset = false;
    for (;;) {
        msg = msghdr{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
        if (n >= 0 || errno == EINTR) {
            if (n >= 0) break;
            continue;
        }
        // A peer that exits with a message of ours unread resets the
        // connection; what it sent before (its error) is still queued
        // behind that: read on once.
        if (errno != ECONNRESET) return fail_errno("reading the launch channel");
        if (reset) break;
        reset = true;
    }
    if (n < 0) {
        Message m;
        m.eof = true;
        return m;
    }
    Message m;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd = -1;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            m.fds.emplace_back(fd);
        }
    }
    if (n == 0) {
        m.eof = true;
        return m;
    }
    if (static_cast<size_t>(n) < sizeof(Header)) return fail("launch channel: short message");
    if ((msg.msg_flags & MSG_CTRUNC) != 0) return fail("launch channel: too many fds");
    Header h{};
    std::memcpy(&h, buf.get(), sizeof h);
    m.type = h.type;
    m.arg = h.arg;
    m.text.assign(buf.get() + sizeof h, static_cast<size_t>(n) - sizeof h);
    return m;
}

Result<Channel::Message> Channel::receive_skipping_logs(int peer_pidfd, const Logger& log) {
    for (;;) {
        Message m = KISTE_TRY(receive(peer_pidfd));
        if (m.eof) return m;
        if (m.type == MsgType::Log) {
            log.write(static_cast<LogLevel>(m.arg), m.text);
            continue;
        }
        if (m.type == MsgType::Error) return fail(Error(m.arg, m.text));
        return m;
    }
}

Status Channel::wait_ready(int child_pidfd, const Logger& log) {
    Message m = KISTE_TRY(receive_skipping_logs(child_pidfd, log));
    if (m.eof) return fail("the container's process exited during setup without a message");
    if (m.type != MsgType::Ready)
        return fail("launch channel: expected READY, got message {}", static_cast<int>(m.type));
    return {};
}

Status Channel::wait_exec(int child_pidfd, const Logger& log) {
    Message m = KISTE_TRY(receive_skipping_logs(child_pidfd, log));
    if (m.eof) return {};
    return fail("launch channel: unexpected message {} after GO", static_cast<int>(m.type));
}

Result<Channel::Message> Channel::expect(MsgType t) {
    Message m = KISTE_TRY(receive(-1));
    if (m.eof) return fail("the parent closed the launch channel");
    if (m.type != t)
        return fail("launch channel: expected message {}, got {}", static_cast<int>(t),
                    static_cast<int>(m.type));
    return m;
}

Status Channel::expect_only(MsgType t) {
    KISTE_TRY(expect(t));
    return {};
}

Result<std::vector<UniqueFd>> Channel::wait_mapped() {
    Message m = KISTE_TRY(expect(MsgType::Mapped));
    return std::move(m.fds);
}

Result<std::vector<UniqueFd>> Channel::wait_cgroups() {
    Message m = KISTE_TRY(expect(MsgType::Cgroups));
    return std::move(m.fds);
}

void Channel::send_error(const Error& e) {
    (void)send(MsgType::Error, e.code(), e.message(false));
}

void Channel::send_log(LogLevel level, const std::string& line) {
    (void)send(MsgType::Log, static_cast<int32_t>(level), line);
}

}  // namespace kiste::runtime
