// kiste set NAME KEY=VALUE... [--live-only|--config-only]: change a running
// or stopped container's resources with friendly names (memory=512M, cpus=1.5,
// pids=200, io-read-bps=/dev/vda:10M...; see cgroup/friendly.hpp), applied
// live and persisted to NAME/config as the LXC keys of the host's layout.
#include <memory>

#include "cgroup/friendly.hpp"
#include "commands.hpp"
#include "manager/set.hpp"

namespace kiste::cli {

void register_set(CLI::App& app, Context& ctx) {
    struct Args {
        std::string name;
        std::vector<std::string> assignments;
        bool live_only = false, config_only = false;
    };
    auto a = std::make_shared<Args>();
    std::string names;
    for (const auto& n : cgroup::friendly_names()) names += (names.empty() ? "" : ", ") + n;
    auto* cmd = app.add_subcommand("set", "change a container's resource limits (live and config)");
    cmd->fallthrough();
    add_name_option(cmd);
    cmd->add_option("name", a->name, "container name")->required();
    cmd->add_option("settings", a->assignments, "NAME=VALUE, NAME one of: " + names)->required();
    auto* live = cmd->add_flag("--live-only", a->live_only, "change the running container only");
    cmd->add_flag("--config-only", a->config_only, "change the config only")->excludes(live);
    cmd->callback([a, &ctx] {
        configure_logging(ctx);
        manager::SetOptions opt;
        opt.live = !a->config_only;
        opt.persist = !a->live_only;
        auto r = manager::set_resources({ctx.global.lxcpath, a->name}, a->assignments, opt);
        if (!r) {
            ctx.exit_code = report(ctx, r.error());
            return;
        }
        for (const auto& n : r->notes) ctx.log.warn("{}", n);
        for (const auto& l : r->config_lines) ctx.log.info("{}: {}", a->name, l);
        ctx.exit_code = 0;
    });
}

}  // namespace kiste::cli
