// Which signal asks a container's init to halt, as lxc-stop decides it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiste::manager {

// The init's signal dispositions from /proc/PID/status (bit N-1 = signal N).
struct SignalMasks {
    uint64_t blocked = 0;  // SigBlk
    uint64_t ignored = 0;  // SigIgn
    uint64_t caught = 0;   // SigCgt
};

// Parses the SigBlk/SigIgn/SigCgt lines of a /proc/PID/status text;
// nullopt when one is missing or malformed.
std::optional<SignalMasks> parse_signal_masks(std::string_view status);
// The masks of a live process; nullopt when it is gone or unreadable.
std::optional<SignalMasks> read_signal_masks(pid_t pid);

// lxc.signal.halt when set. Otherwise SIGRTMIN+3 for an init that blocks it
// (lxc-stop's rule: systemd reads its signals from a signalfd, and halts on
// SIGRTMIN+3 while it ignores SIGPWR), and for an init that blocks or
// ignores SIGPWR but takes SIGRTMIN+3; else SIGPWR (busybox, sysvinit).
int choose_halt_signal(int configured, const std::optional<SignalMasks>& init);

// "SIGPWR", "SIGRTMIN+3" (glibc has no abbreviation for real-time signals),
// else "signal N": how a stop names the signal it sent.
std::string signal_display_name(int sig);

}  // namespace kiste::manager
