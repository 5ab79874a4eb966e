// The ttys of a `kiste execute` (lxc.tty.max, as lxc-execute allocates
// them): ptys bound onto /dev/tty1..N inside, served on a console socket in
// the run directory that `kiste console NAME -t N` looks up, with the
// monitor's console code (console_server.hpp). The console itself stays
// the terminal kiste runs on. Everything goes when the run ends; what a
// killed kiste leaves is removed with its run directory by the next
// command on its record (lifecycle::cleanup).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/unique_fd.hpp"
#include "lifecycle/execute.hpp"
#include "manager/console_server.hpp"
#include "manager/ptys.hpp"

namespace kiste::manager {

class ExecuteTtys final : public lifecycle::RunService {
public:
    ExecuteTtys(uint32_t count, Logger& log) : count_(count), log_(log) {}
    ~ExecuteTtys() override { end(); }
    ExecuteTtys(const ExecuteTtys&) = delete;
    ExecuteTtys& operator=(const ExecuteTtys&) = delete;

    Result<std::vector<int>> prepare(const state::ContainerPaths& paths) override;
    void add_poll_fds(std::vector<pollfd>& fds) override;
    void handle(std::span<const pollfd> fds) override;
    void end() override;

private:
    void on_other_request(ConsoleClient& c, const std::string& req);

    uint32_t count_;
    Logger& log_;
    std::string name_;  // set once the socket may exist
    std::string socket_;
    std::vector<Pty> ptys_;  // [0] a placeholder: the console is kiste's terminal
    UniqueFd listen_;
    std::unique_ptr<ConsoleServer> server_;
};

}  // namespace kiste::manager
