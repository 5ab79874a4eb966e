// Work that `kiste execute` does ahead, on a thread of its own, while the
// main thread takes the name lock, seals kiste-init and makes the cgroups:
// the container's net namespace (unshare + loopback up), ~0.7 ms of kernel
// time, most of what a clone3 with CLONE_NEWNET costs, that otherwise nothing
// overlaps. kiste-init is sealed on the main thread: this thread is already
// the longer of the two, so moving that work here gains nothing. The thread
// runs off the main thread's CPU where there is another (a new
// thread tends to start on its parent's, and then nothing overlaps) and with
// every signal blocked (the main thread forwards them). take() joins it
// before the clone, so the process is single-threaded again when the
// container's first process is made.
#pragma once

#include <memory>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::runtime {

class LaunchAhead {
public:
    struct Results {
        // A net namespace the child joins (setns) instead of a new one from
        // clone3; its loopback is up.
        Result<UniqueFd> net_ns = fail("not made ahead");
    };

    // A net namespace may be made ahead for a container without a user
    // namespace (its net namespace must belong to that one then) and
    // without network devices (the host side would look it up by pid).
    [[nodiscard]] static bool net_ns_possible(const ContainerSpec& spec);

    // Starts the thread when `spec` allows any of its work. A thread that
    // cannot start leaves every result an error; the launch does the work.
    void start(const ContainerSpec& spec);
    // Waits for the thread and hands over what it made.
    Results take();

    LaunchAhead();
    ~LaunchAhead();
    LaunchAhead(const LaunchAhead&) = delete;
    LaunchAhead& operator=(const LaunchAhead&) = delete;

    struct State;  // the thread's (ahead.cpp)

private:
    std::unique_ptr<State> state_;
};

}  // namespace kiste::runtime
