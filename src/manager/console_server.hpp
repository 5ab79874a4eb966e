// The console side of a container's socket (protocol.hpp): the clients that
// ask for "console N" and then trade keystrokes, window sizes and output
// with tty N, and "log". Both the monitor of `kiste start` and a
// `kiste execute` that serves lxc.tty.max ttys speak it, so that
// `kiste console` reaches either the same way. The ptys and the listening
// socket belong to the owner; this class owns the clients. Every other
// request goes to the owner's handler.
#pragma once

#include <poll.h>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "manager/ptys.hpp"

namespace kiste::manager {

struct ConsoleClient {
    UniqueFd fd;
    int tty = -1;              // index into the ptys when attached to one
    bool awaits_stop = false;  // the monitor answers "stopped" once the container is down
};

class ConsoleServer {
public:
    using RequestHandler = std::function<void(ConsoleClient&, const std::string&)>;

    // `ptys`: [0] the console (without a master when the owner keeps the
    // console elsewhere: `console_elsewhere` says where, for the client's
    // error), [N] ttyN. Both `ptys` and `listen` must outlive this object.
    ConsoleServer(std::string container, std::vector<Pty>& ptys, const UniqueFd& listen,
                  RequestHandler other, std::string console_elsewhere = {});

    // Console output is copied to `fd` too (the foreground monitor's terminal).
    void echo_console_to(int fd) { echo_fd_ = fd; }

    // Appends what to poll: the listening socket, each pty, each client.
    void add_poll_fds(std::vector<pollfd>& fds) const;
    // Handles what poll() returned for exactly the fds add_poll_fds appended.
    void handle(std::span<const pollfd> fds);

    std::vector<std::unique_ptr<ConsoleClient>>& clients() { return clients_; }

private:
    void on_request(ConsoleClient& c, const std::string& req);
    void on_client(size_t idx);
    void on_pty(size_t idx);
    void drop_client(size_t idx);

    std::string container_;
    std::vector<Pty>& ptys_;
    const UniqueFd& listen_;
    RequestHandler other_;
    std::string console_elsewhere_;
    int echo_fd_ = -1;
    std::vector<std::unique_ptr<ConsoleClient>> clients_;
};

}  // namespace kiste::manager
