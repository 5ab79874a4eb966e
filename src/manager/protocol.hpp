// The monitor's command socket: SOCK_SEQPACKET, one message per packet, the
// first byte says what it is.
//
//   client                         monitor
//   Q "state"                 ->   R "RUNNING <init pid>"
//   Q "stop <timeout> <kill>" ->   (halt signal; SIGKILL after timeout)
//                             <-   R "stopped" once the container is down
//   Q "reboot"                ->   R "ok"
//   Q "console <n>"           ->   R "ok" | E "<reason>", then:
//   D <keystrokes>            ->   written to the tty
//                             <-   D <output> (every client of that tty gets it)
//   W "<rows> <cols>"         ->   the tty's window size
//   Q "log"                   ->   R <the console's recent output>
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::manager::proto {

enum Kind : char { Request = 'Q', Reply = 'R', Data = 'D', Winsize = 'W', Failure = 'E' };

constexpr size_t kMaxPacket = 64 * 1024;

Status send(int fd, Kind kind, std::string_view payload);
struct Packet {
    Kind kind;
    std::string payload;
};
// nullopt at EOF.
Result<std::optional<Packet>> receive(int fd);

Result<UniqueFd> listen_at(const std::string& path);
Result<UniqueFd> connect_to(const std::string& path);

// One request, one reply (for state/stop/reboot/log).
Result<std::string> request(const std::string& socket_path, std::string_view req);

}  // namespace kiste::manager::proto
