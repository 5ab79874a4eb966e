#include "base/signals.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>

namespace kiste {

namespace {

// The kernel's struct sigaction for rt_sigaction(2) (x86-64/arm64 layout).
struct KernelSigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)();
    std::uint64_t mask;
};

}  // namespace

void reset_ignored_signals() {
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        KernelSigaction old{};
        if (::syscall(SYS_rt_sigaction, sig, nullptr, &old, sizeof(std::uint64_t)) != 0 ||
            old.handler != SIG_IGN)
            continue;
        KernelSigaction dfl{};
        dfl.handler = SIG_DFL;
        (void)::syscall(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof(std::uint64_t));
    }
}

}  // namespace kiste
