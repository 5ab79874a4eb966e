// The channel between kiste attach and its helpers: one SOCK_SEQPACKET pair.
//
//   kiste (parent)                  intermediate (our pid ns)      attached (the container's pid
//   ns)
//   ----------------------------    --------------------------- ---------------------------------
//   fork ------------------------>  non-dumpable; join cgroups;
//                                   setns user, mnt; [open the
//                                   container's /dev/ptmx];
//                                   setns pid uts ipc net cgroup
//                                   time; clone3(CLONE_PARENT) -->  (a child of kiste, not of the
//   receive(): STARTED  <---------  send_started(pidfd [, pty          intermediate)
//     (+ the attached process's      master]); _exit(0)
//      pidfd and the pty master)                                    ctty; ids; caps; env; cwd
//   receive(): EOF      <--------------------------------------------  execve: the fd is CLOEXEC
//   receive(): ERROR    <--------------------------------------------  or send_error();
//   _exit(126/127)
//
// Errors of the intermediate travel as ERROR too. The channel's EOF comes
// when both helpers have exec'd or exited, so the parent never waits on a
// helper that died without a word.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::attach {

class Wire {
public:
    static Result<std::pair<Wire, Wire>> make_pair();
    Wire() = default;
    explicit Wire(UniqueFd fd) : fd_(std::move(fd)) {}

    [[nodiscard]] int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

    // ---- helpers
    // The attached process's pid (as we see it), its pidfd, and the pty
    // master when there is one (-1 otherwise).
    Status send_started(pid_t pid, int pidfd, int master);
    // Message chain and errno; `exit_code` is what the sender exits with.
    void send_error(const Error& e, int exit_code);

    // ---- parent
    struct Message {
        enum class Kind { Eof, Started, Error } kind = Kind::Eof;
        pid_t pid = 0;
        UniqueFd pidfd;
        UniqueFd master;
        Error error;
        int exit_code = 0;
    };
    // Blocks until a message or EOF.
    Result<Message> receive();

private:
    UniqueFd fd_;
};

}  // namespace kiste::attach
