// kiste info: state, pids, addresses and usage of a container (lxc-info).
#include <filesystem>

#include "base/json.hpp"
#include "commands.hpp"
#include "manager/info.hpp"

namespace kiste::cli {

namespace {
void print_text(const manager::ContainerInfo& i) {
    auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
        return s.empty() ? std::string("-") : s;
    };
    fmt::print("{:<14}{}\n", "Name:", i.name);
    fmt::print("{:<14}{}\n", "State:", state::state_name(i.state));
    if (i.state != state::State::Stopped) {
        fmt::print("{:<14}{}\n", "PID:", i.pid);
        if (i.face == "execute")
            fmt::print("{:<14}{} (kiste execute)\n", "Owner PID:", i.owner_pid);
        else
            fmt::print("{:<14}{}\n", "Monitor PID:", i.monitor_pid);
        fmt::print("{:<14}{}\n", "IPv4:", join(i.ipv4));
        fmt::print("{:<14}{}\n", "IPv6:", join(i.ipv6));
        for (const auto& n : i.interfaces)
            fmt::print("{:<14}{}: RX {} ({} packets), TX {} ({} packets)\n", "Link:", n.name,
                       manager::human_bytes(n.rx_bytes), n.rx_packets,
                       manager::human_bytes(n.tx_bytes), n.tx_packets);
        fmt::print("{:<14}{:.2f} seconds\n", "CPU use:", i.cpu_seconds);
        fmt::print("{:<14}{}{}\n", "Memory use:", manager::human_bytes(i.memory),
                   i.memory_limit ? " of " + manager::human_bytes(i.memory_limit) : std::string());
        fmt::print("{:<14}{}\n", "OOM kills:", i.oom_kills);
        fmt::print("{:<14}{}\n", "Processes:", i.processes);
        fmt::print("{:<14}{}\n", "TTYs:", join(i.ttys));
    }
    fmt::print("{:<14}{}\n", "Config:", i.config);
    fmt::print("{:<14}{}\n", "Log:", i.log);
}
}  // namespace

void register_info(CLI::App& app, Context& ctx) {
    struct Args {
        std::string name;
        std::string format = "text";
        bool state_only = false, pid_only = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("info", "show a container's state and usage");
    cmd->fallthrough();
    add_name_option(cmd);
    cmd->add_option("name", a->name, "container name")->required();
    cmd->add_option("--format", a->format, "text or json")->check(CLI::IsMember({"text", "json"}));
    cmd->add_flag("-s,--state", a->state_only, "print only the state");
    cmd->add_flag("-p,--pid", a->pid_only, "print only init's pid");
    cmd->callback([a, &ctx] {
        configure_logging(ctx);
        state::ContainerPaths paths{ctx.global.lxcpath, a->name};
        std::error_code ec;
        // Without a definition a container exists while it has a record
        // (`kiste execute`'s, also one a killed run left).
        if (state::list_containers(ctx.global.lxcpath).empty() ||
            !std::filesystem::exists(paths.config(), ec)) {
            if (const auto seen = state::observe(paths);
                seen.state == state::State::Stopped && !seen.recorded) {
                ctx.exit_code =
                    report(ctx, Error(ENOENT, fmt::format("container {} does not exist in {}",
                                                          a->name, ctx.global.lxcpath)));
                return;
            }
        }
        auto info = manager::gather_info(paths, !a->state_only && !a->pid_only);
        if (a->state_only)
            fmt::print("{}\n", state::state_name(info.state));
        else if (a->pid_only)
            fmt::print("{}\n", info.pid);
        else if (a->format == "json")
            fmt::print("{}\n", json_text(manager::to_json(info)));
        else
            print_text(info);
        ctx.exit_code = 0;
    });
}

}  // namespace kiste::cli
