#include "runtime/channel.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace kiste::runtime {

namespace {
struct Header {
    MsgType type;
    int32_t arg;
};
constexpr size_t kMaxMessage = 64 * 1024;
}  // namespace

Result<std::pair<Channel, Channel>> Channel::make_pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return fail_errno("creating the launch channel");
    return std::pair<Channel, Channel>{Channel(UniqueFd(sv[0])), Channel(UniqueFd(sv[1]))};
}

Status Channel::send(MsgType t, int32_t arg, const std::string& text) {
    std::vector<char> buf(sizeof(Header) + std::min(text.size(), kMaxMessage - sizeof(Header)));
    Header h{t, arg};
    std::memcpy(buf.data(), &h, sizeof h);
    std::memcpy(buf.data() + sizeof h, text.data(), buf.size() - sizeof h);
    for (;;) {
        ssize_t n = ::send(fd_.get(), buf.data(), buf.size(), MSG_NOSIGNAL);
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
    std::vector<char> buf(kMaxMessage);
    ssize_t n;
    bool reset = false;
    for (;;) {
        n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
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
    if (n == 0) {
        m.eof = true;
        return m;
    }
    if (static_cast<size_t>(n) < sizeof(Header)) return fail("launch channel: short message");
    Header h{};
    std::memcpy(&h, buf.data(), sizeof h);
    m.type = h.type;
    m.arg = h.arg;
    m.text.assign(buf.data() + sizeof h, static_cast<size_t>(n) - sizeof h);
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

Status Channel::expect(MsgType t) {
    Message m = KISTE_TRY(receive(-1));
    if (m.eof) return fail("the parent closed the launch channel");
    if (m.type != t)
        return fail("launch channel: expected message {}, got {}", static_cast<int>(t),
                    static_cast<int>(m.type));
    return {};
}

void Channel::send_error(const Error& e) {
    (void)send(MsgType::Error, e.code(), e.message(false));
}

void Channel::send_log(LogLevel level, const std::string& line) {
    (void)send(MsgType::Log, static_cast<int32_t>(level), line);
}

}  // namespace kiste::runtime
