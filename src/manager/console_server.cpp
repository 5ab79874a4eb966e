#include "manager/console_server.hpp"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>

#include "manager/protocol.hpp"

namespace kiste::manager {

ConsoleServer::ConsoleServer(std::string container, std::vector<Pty>& ptys, const UniqueFd& listen,
                             RequestHandler other, std::string console_elsewhere)
    : container_(std::move(container)),
      ptys_(ptys),
      listen_(listen),
      other_(std::move(other)),
      console_elsewhere_(std::move(console_elsewhere)) {}

void ConsoleServer::add_poll_fds(std::vector<pollfd>& fds) const {
    fds.push_back({listen_.get(), POLLIN, 0});
    for (const auto& p : ptys_) fds.push_back({p.master.get(), POLLIN, 0});
    for (const auto& c : clients_) fds.push_back({c->fd.get(), POLLIN, 0});
}

void ConsoleServer::handle(std::span<const pollfd> fds) {
    // The layout of add_poll_fds, taken before anything here changes the lists.
    const size_t n_ptys = ptys_.size();
    const size_t n_clients = fds.size() - 1 - n_ptys;
    if (fds[0].revents & POLLIN) {
        int cfd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (cfd >= 0) {
            auto c = std::make_unique<ConsoleClient>();
            c->fd.reset(cfd);
            clients_.push_back(std::move(c));
        }
    }
    for (size_t i = 0; i < n_ptys; ++i)
        if (fds[1 + i].revents & POLLIN) on_pty(i);
    // Clients from the back, since handling one may drop it; those accepted
    // above come after them and are not in `fds`.
    for (size_t i = n_clients; i-- > 0;)
        if (fds[1 + n_ptys + i].revents != 0 && i < clients_.size()) on_client(i);
}

void ConsoleServer::drop_client(size_t idx) {
    ConsoleClient& c = *clients_[idx];
    if (c.tty >= 0) std::erase(ptys_[static_cast<size_t>(c.tty)].clients, c.fd.get());
    clients_.erase(clients_.begin() + static_cast<long>(idx));
}

void ConsoleServer::on_request(ConsoleClient& c, const std::string& req) {
    const int fd = c.fd.get();
    if (req.starts_with("console")) {
        int n = 0;
        std::sscanf(req.c_str(), "console %d", &n);
        const size_t ttys = ptys_.empty() ? 0 : ptys_.size() - 1;
        if (n < 0 || static_cast<size_t>(n) >= ptys_.size()) {
            (void)proto::send(
                fd, proto::Failure,
                fmt::format("container {} has no tty {} (lxc.tty.max = {})", container_, n, ttys));
            return;
        }
        if (!ptys_[static_cast<size_t>(n)].master) {
            (void)proto::send(
                fd, proto::Failure,
                fmt::format("container {} has no {} here ({}); its ttys are -t 1..{}", container_,
                            ptys_[static_cast<size_t>(n)].name, console_elsewhere_, ttys));
            return;
        }
        c.tty = n;
        ptys_[static_cast<size_t>(n)].clients.push_back(fd);
        (void)proto::send(fd, proto::Reply, "ok");
    } else if (req == "log" && !ptys_.empty() && ptys_[0].master) {
        (void)proto::send(fd, proto::Reply, ptys_[0].recent);
    } else {
        other_(c, req);
    }
}

void ConsoleServer::on_client(size_t idx) {
    ConsoleClient& c = *clients_[idx];
    auto p = proto::receive(c.fd.get());
    if (!p || !*p) {
        drop_client(idx);
        return;
    }
    switch ((*p)->kind) {
        case proto::Request: on_request(c, (*p)->payload); break;
        case proto::Data:
            if (c.tty >= 0)
                (void)!::write(ptys_[static_cast<size_t>(c.tty)].master.get(), (*p)->payload.data(),
                               (*p)->payload.size());
            break;
        case proto::Winsize:
            if (c.tty >= 0) {
                winsize ws{};
                std::sscanf((*p)->payload.c_str(), "%hu %hu", &ws.ws_row, &ws.ws_col);
                ::ioctl(ptys_[static_cast<size_t>(c.tty)].master.get(), TIOCSWINSZ, &ws);
            }
            break;
        default: break;
    }
}

void ConsoleServer::on_pty(size_t idx) {
    Pty& p = ptys_[idx];
    char buf[8192];
    ssize_t n = ::read(p.master.get(), buf, sizeof buf);
    if (n <= 0) return;
    std::string_view out(buf, static_cast<size_t>(n));
    if (idx == 0) {
        p.remember(out);
        if (p.logfile) (void)!::write(p.logfile.get(), out.data(), out.size());
        if (echo_fd_ >= 0) (void)!::write(echo_fd_, out.data(), out.size());
    }
    for (int fd : p.clients) (void)proto::send(fd, proto::Data, out);
}

}  // namespace kiste::manager
