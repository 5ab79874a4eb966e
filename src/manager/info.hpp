// What `kiste info` and `kiste ls --fancy` show about a container.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "state/container_state.hpp"

namespace kiste::manager {

struct ContainerInfo {
    std::string name;
    state::State state = state::State::Stopped;
    pid_t pid = 0;  // init's host pid
    pid_t monitor_pid = 0;
    // Which process owns it ("monitor", "execute"; empty: none) and its pid.
    std::string face;
    pid_t owner_pid = 0;
    std::vector<std::string> ipv4, ipv6;
    // Per-interface counters, read inside the container (loopback excluded).
    struct Interface {
        std::string name;
        uint64_t rx_bytes = 0, rx_packets = 0, tx_bytes = 0, tx_packets = 0;
    };
    std::vector<Interface> interfaces;
    double cpu_seconds = 0;
    uint64_t memory = 0;        // usage in bytes
    uint64_t memory_limit = 0;  // 0: none
    uint64_t oom_kills = 0;
    uint64_t swap = 0;
    uint64_t memory_limit_hits = 0;  // fail counters (OpenVZ's failcnt)
    uint64_t pids_limit = 0;         // 0: none
    uint64_t pids_limit_hits = 0;
    uint64_t io_read_bytes = 0, io_write_bytes = 0;
    uint64_t processes = 0;
    std::vector<std::string> ttys;
    std::string config;
    std::string log;
    bool autostart = false;
};

// `runtime`: also collect addresses, usage and processes (costs a fork for
// the addresses); without it only state, pids and paths are filled.
ContainerInfo gather_info(const state::ContainerPaths& paths, bool runtime);

nlohmann::json to_json(const ContainerInfo& info);

// 1.5 KiB, 12.0 MiB, ...
std::string human_bytes(uint64_t n);

}  // namespace kiste::manager
