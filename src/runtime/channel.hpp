// The typed parent <-> child channel of the launch. One SOCK_SEQPACKET pair,
// one named method per protocol step, so that neither side can send a step
// out of order without it showing in the code.
//
//   parent (kiste)                              child (the container's PID 1 to be)
//   ------------------------------------------  -----------------------------------------
//   clone3(namespaces) ------------------------> wait_mapped()
//   write uid/gid maps, join cgroups
//   send_mapped([rootfs fds]) -----------------> setresuid(0); ns joins; rootfs; /dev;
//                                                pivot_root; sysctls; masks; rlimits;
//   [late cgroups: make the v1 ones              [wait_cgroups(); write "0" to each
//    send_cgroups(fds of their tasks) -------->   tasks fd; unshare the cgroup ns]
//                                                creds + caps; no_new_privs
//   wait_ready()   <---------------------------- send_ready()   (or send_error(e): message
//                                                                 + errno, then _exit)
//   [start-host hooks; before_go
//    send_go()     ---------------------------->  wait_go()]  (only with either)
//                                                [start hooks]
//                                                execveat(init image)
//   wait_exec()    <---------------------------- EOF on success (the fd is CLOEXEC),
//                                                or send_error(e) when a start hook
//                                                or the exec failed
//
// Log lines from the child travel as LOG messages in between and are written
// by the parent's Logger. Every wait in the parent also polls the child's
// pidfd, so a child that dies without a word never blocks the parent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::runtime {

enum class MsgType : uint32_t { Mapped = 1, Ready, Go, Error, Log, Cgroups };

class Channel {
public:
    // Creates the socket pair; parent_end() and child_end() split it.
    static Result<std::pair<Channel, Channel>> make_pair();
    Channel() = default;
    explicit Channel(UniqueFd fd) : fd_(std::move(fd)) {}

    [[nodiscard]] int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

    // ---- parent side
    // `fds`: what the child cannot open itself (rootfs::RootfsForChild).
    Status send_mapped(const std::vector<int>& fds = {}) {
        return send(MsgType::Mapped, 0, {}, fds);
    }
    Status send_go() { return send(MsgType::Go, 0, {}); }
    // The late cgroups exist (see CgroupEntry in launcher.hpp); `tasks`: an
    // fd of each one's v1 `tasks` file, opened by the parent, for the child
    // to write "0" to (at most kMaxFds).
    Status send_cgroups(const std::vector<int>& tasks = {}) {
        return send(MsgType::Cgroups, 0, {}, tasks);
    }
    static constexpr size_t kMaxFds = 32;
    // Waits for READY; forwards LOG lines to `log`; returns the child's error
    // (with its errno) if it sent one, or an error when it died silently.
    Status wait_ready(int child_pidfd, const Logger& log);
    // After READY (and GO): success when the child's end closes on exec.
    Status wait_exec(int child_pidfd, const Logger& log);

    // ---- child side
    // The fds that came with MAPPED (close-on-exec).
    Result<std::vector<UniqueFd>> wait_mapped();
    Status wait_go() { return expect_only(MsgType::Go); }
    // The fds that came with CGROUPS (close-on-exec).
    Result<std::vector<UniqueFd>> wait_cgroups();
    Status send_ready() { return send(MsgType::Ready, 0, {}); }
    // Sends the error (message chain and errno) to the parent.
    void send_error(const Error& e);
    void send_log(LogLevel level, const std::string& line);

private:
    Status send(MsgType t, int32_t arg, const std::string& text, const std::vector<int>& fds = {});
    // Reads one message, polling the peer pidfd (if >= 0) for a silent death.
    struct Message {
        MsgType type{};
        int32_t arg = 0;
        std::string text;
        std::vector<UniqueFd> fds;  // SCM_RIGHTS
        bool eof = false;
    };
    Result<Message> expect(MsgType t);
    Status expect_only(MsgType t);  // expect(), any fds closed
    Result<Message> receive(int peer_pidfd);
    // Shared loop of wait_ready/wait_exec: LOG lines go to `log`, an ERROR
    // becomes the result; returns the first other message (or EOF).
    Result<Message> receive_skipping_logs(int peer_pidfd, const Logger& log);

    UniqueFd fd_;
};

}  // namespace kiste::runtime
