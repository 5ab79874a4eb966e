#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "base/unique_fd.hpp"
#include "runtime/ns/namespaces.hpp"

namespace kiste::runtime::ns {

Status loopback_up() {
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) return fail_errno("socket for the loopback setup");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0) return fail_errno("reading the flags of lo");
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(sock.get(), SIOCSIFFLAGS, &ifr) < 0) return fail_errno("bringing up lo");
    return {};
}

}  // namespace kiste::runtime::ns
