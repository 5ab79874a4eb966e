#include "manager/execute_ttys.hpp"

#include <unistd.h>
#include "manager/protocol.hpp"

namespace kiste::manager {

Result<std::vector<int>> ExecuteTtys::prepare(const state::ContainerPaths& paths) {
    const std::string& name = paths.name;
    name_ = name;
    socket_ = paths.monitor_socket();
    ptys_.emplace_back().name = "console";
    std::vector<int> slaves;
    for (uint32_t i = 1; i <= count_; ++i) {
        ptys_.push_back(KISTE_TRY(open_pty(fmt::format("tty{}", i))));
        slaves.push_back(ptys_.back().slave.get());
    }
    listen_ = KISTE_TRY(proto::listen_at(socket_));
    server_ = std::make_unique<ConsoleServer>(
        name, ptys_, listen_,
        [this](ConsoleClient& c, const std::string& req) { on_other_request(c, req); },
        "kiste execute keeps it on its own terminal");
    log_.info("container {}: its ttys are served to `kiste console {} -t 1..{}`", name, name,
              count_);
    return slaves;
}

void ExecuteTtys::add_poll_fds(std::vector<pollfd>& fds) {
    if (server_) server_->add_poll_fds(fds);
}

void ExecuteTtys::handle(std::span<const pollfd> fds) {
    if (server_) server_->handle(fds);
}

void ExecuteTtys::on_other_request(ConsoleClient& c, const std::string& req) {
    (void)proto::send(c.fd.get(), proto::Failure,
                      fmt::format("container {} runs under `kiste execute`, which serves only its "
                                  "ttys (kiste console {} -t 1..{}), not '{}': it ends with its "
                                  "command, on a signal to that kiste, or with kiste stop {}",
                                  name_, name_, count_, req, name_));
}

void ExecuteTtys::end() {
    if (name_.empty()) return;
    // The clients see the end first (`kiste console` then exits), then the files go.
    server_.reset();
    listen_.reset();
    ptys_.clear();
    ::unlink(socket_.c_str());
    name_.clear();
}

}  // namespace kiste::manager
