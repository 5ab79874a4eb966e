// kiste stop: halt (or reboot, or kill) a running container (lxc-stop).
#include "commands.hpp"
#include "manager/manager.hpp"

namespace kiste::cli {

void register_stop(CLI::App& app, Context& ctx) {
    struct Args {
        std::string name;
        manager::StopOptions opt;
        bool nokill = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("stop", "stop a running container");
    cmd->fallthrough();
    add_name_option(cmd);
    cmd->add_option("name", a->name, "container name")->required();
    cmd->add_option("-t,--timeout", a->opt.timeout_seconds,
                    "seconds to wait for a clean halt before SIGKILL (-1: forever)")
        ->capture_default_str();
    cmd->add_flag("-k,--kill", a->opt.kill, "kill at once (SIGKILL)");
    cmd->add_flag("-r,--reboot", a->opt.reboot, "reboot the container");
    cmd->add_flag("--nokill", a->nokill, "never SIGKILL (same as -t -1)");
    cmd->callback([a, &ctx] {
        configure_logging(ctx);
        if (a->nokill) a->opt.timeout_seconds = -1;
        state::ContainerPaths paths{ctx.global.lxcpath, a->name};
        auto st = manager::stop(paths, a->opt, ctx.log);
        ctx.exit_code = st ? 0 : report(ctx, st.error());
    });
}

}  // namespace kiste::cli
