// kiste top [--batch] [-n ITER] [-d SECONDS]: a live table of all containers'
// usage and limits (CPU %, memory, swap, block I/O, pids, fail counters),
// refreshed every SECONDS; --batch prints plain snapshots for scripts.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "commands.hpp"
#include "manager/set.hpp"

namespace kiste::cli {

void register_top(CLI::App& app, Context& ctx) {
    struct Args {
        bool batch = false;
        int iterations = 0;  // 0: until interrupted
        double delay = 1.0;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("top", "a live table of the containers' resource usage");
    cmd->fallthrough();
    cmd->add_flag("-b,--batch", a->batch, "plain snapshots, no screen control (for scripts)");
    cmd->add_option("-n,--iterations", a->iterations, "stop after N tables (default: never)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("-d,--delay", a->delay, "seconds between tables (default 1)")
        ->check(CLI::Range(0.05, 3600.0));
    cmd->callback([a, &ctx] {
        configure_logging(ctx);
        using Clock = std::chrono::steady_clock;
        auto before = manager::sample_all(ctx.global.lxcpath);
        auto then = Clock::now();
        for (int i = 0; a->iterations == 0 || i < a->iterations; ++i) {
            std::this_thread::sleep_for(std::chrono::duration<double>(a->delay));
            auto now = manager::sample_all(ctx.global.lxcpath);
            const auto at = Clock::now();
            const double seconds = std::chrono::duration<double>(at - then).count();
            const std::string table = manager::format_top(before, now, seconds);
            if (a->batch) {
                std::fputs(table.c_str(), stdout);
                std::fputs("\n", stdout);
            } else {
                // Home and clear, then the table: one write, no flicker.
                std::fputs(("\033[H\033[2J" + table).c_str(), stdout);
            }
            std::fflush(stdout);
            before = std::move(now);
            then = at;
        }
        ctx.exit_code = 0;
    });
}

}  // namespace kiste::cli
