#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <system_error>
#include <thread>

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

struct NetNsAhead::State {
    std::thread thread;
    Result<UniqueFd> result = fail("the net namespace was not made ahead");
};

bool NetNsAhead::possible(const ContainerSpec& spec) {
    return spec.ns_new(NsKind::Net) && !spec.ns_new(NsKind::User) && spec.network.empty();
}

void NetNsAhead::start() {
    if (state_) return;
    state_ = std::make_unique<State>();
    State* st = state_.get();  // stays where it is until the thread is joined
    // Off the main thread's CPU where there is another: a new thread tends
    // to start on its parent's, and then nothing overlaps.
    cpu_set_t others;
    CPU_ZERO(&others);
    const int here = ::sched_getcpu();
    if (here >= 0 && ::sched_getaffinity(0, sizeof others, &others) == 0 && CPU_COUNT(&others) > 1)
        CPU_CLR(here, &others);
    else
        CPU_ZERO(&others);
    try {
        st->thread = std::thread([st, others] {
            if (CPU_COUNT(&others) > 0) (void)::sched_setaffinity(0, sizeof others, &others);
            // unshare() moves only this thread into the new namespace; the
            // fd keeps it alive when the thread is gone.
            if (::unshare(CLONE_NEWNET) < 0) {
                st->result = fail_errno("unsharing a net namespace");
                return;
            }
            if (auto up = loopback_up(); !up) {
                st->result = std::unexpected(up.error());
                return;
            }
            UniqueFd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
            if (!fd) {
                st->result = fail_errno("opening /proc/thread-self/ns/net");
                return;
            }
            st->result = std::move(fd);
        });
    } catch (const std::system_error& e) {
        st->result = fail("starting a thread for the net namespace: {}", e.what());
    }
}

Result<UniqueFd> NetNsAhead::take() {
    if (!state_) return fail("the net namespace was not made ahead");
    if (state_->thread.joinable()) state_->thread.join();
    return std::move(state_->result);
}

NetNsAhead::NetNsAhead() = default;

NetNsAhead::~NetNsAhead() {
    if (state_ && state_->thread.joinable()) state_->thread.join();
}

}  // namespace kiste::runtime::ns
