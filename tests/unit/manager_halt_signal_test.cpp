// lxc-stop's choice of the halt signal, from the init's signal masks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>

#include "manager/halt_signal.hpp"

namespace kiste::manager {
namespace {

uint64_t bit(int sig) {
    return uint64_t{1} << (sig - 1);
}

TEST(HaltSignal, ParsesProcStatus) {
    auto m = parse_signal_masks(
        "Name:\tsystemd\nSigQ:\t0/96370\nSigPnd:\t0000000000000000\n"
        "SigBlk:\t7be3c0fe28014a03\nSigIgn:\t0000000000001000\nSigCgt:\t00000001800004ec\n");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->blocked, 0x7be3c0fe28014a03ULL);
    EXPECT_EQ(m->ignored, 0x1000ULL);
    EXPECT_EQ(m->caught, 0x1800004ecULL);
    EXPECT_FALSE(parse_signal_masks("SigBlk:\t0\nSigIgn:\t0\n"));  // no SigCgt
    EXPECT_FALSE(parse_signal_masks("SigBlk:\tzz\nSigIgn:\t0\nSigCgt:\t0\n"));
    EXPECT_FALSE(parse_signal_masks(""));
}

TEST(HaltSignal, ReadsALiveProcess) {
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 3);
    ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &set, &old), 0);
    auto m = read_signal_masks(::getpid());
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ASSERT_TRUE(m);
    // /proc/PID/status shows the main thread's mask: the tests run on it.
    EXPECT_NE(m->blocked & bit(SIGRTMIN + 3), 0U);
    EXPECT_FALSE(read_signal_masks(-1));
}

TEST(HaltSignal, ConfiguredSignalWins) {
    SignalMasks systemd{.blocked = bit(SIGRTMIN + 3) | bit(SIGPWR)};
    EXPECT_EQ(choose_halt_signal(SIGUSR1, systemd), SIGUSR1);
    EXPECT_EQ(choose_halt_signal(SIGUSR1, std::nullopt), SIGUSR1);
}

TEST(HaltSignal, BlockedRtmin3MeansSystemd) {
    // lxc-stop's rule: systemd takes its signals from a signalfd.
    EXPECT_EQ(choose_halt_signal(0, SignalMasks{.blocked = bit(SIGRTMIN + 3)}), SIGRTMIN + 3);
}

TEST(HaltSignal, PwrUnheardButRtmin3Taken) {
    EXPECT_EQ(
        choose_halt_signal(0, SignalMasks{.ignored = bit(SIGPWR), .caught = bit(SIGRTMIN + 3)}),
        SIGRTMIN + 3);
    EXPECT_EQ(
        choose_halt_signal(0, SignalMasks{.blocked = bit(SIGPWR), .caught = bit(SIGRTMIN + 3)}),
        SIGRTMIN + 3);
    // Ignoring both: nothing helps, SIGPWR as LXC sends it (then the timeout).
    EXPECT_EQ(choose_halt_signal(0, SignalMasks{.ignored = bit(SIGPWR) | bit(SIGRTMIN + 3)}),
              SIGPWR);
}

TEST(HaltSignal, SigpwrForClassicInits) {
    // busybox init and sysvinit catch SIGPWR.
    EXPECT_EQ(choose_halt_signal(0, SignalMasks{.caught = bit(SIGPWR) | bit(SIGUSR1)}), SIGPWR);
    EXPECT_EQ(choose_halt_signal(0, SignalMasks{}), SIGPWR);
    EXPECT_EQ(choose_halt_signal(0, std::nullopt), SIGPWR);
}

// The stop's log names systemd's halt signal as users write it, not "37".
TEST(HaltSignal, DisplayNames) {
    EXPECT_EQ(signal_display_name(SIGPWR), "SIGPWR");
    EXPECT_EQ(signal_display_name(SIGRTMIN + 3), "SIGRTMIN+3");
    EXPECT_EQ(signal_display_name(SIGRTMIN), "SIGRTMIN");
    EXPECT_EQ(signal_display_name(0), "signal 0");
}

}  // namespace
}  // namespace kiste::manager
