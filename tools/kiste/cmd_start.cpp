// kiste start: boot a system container under its monitor (lxc-start).
#include <cerrno>

#include "commands.hpp"
#include "manager/manager.hpp"

namespace kiste::cli {

void register_start(CLI::App& app, Context& ctx) {
    struct Args {
        std::string name;
        manager::StartOptions opt;
        bool daemon = true;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("start", "start a system container (detached under a monitor)");
    cmd->fallthrough();
    add_name_option(cmd);
    cmd->add_option("name", a->name, "container name")->required();
    cmd->add_flag("-F,--foreground", a->opt.foreground,
                  "stay in the foreground, console on this terminal");
    cmd->add_flag("-d,--daemon", a->daemon, "detach (the default)");
    cmd->add_option("-f,--rcfile", a->opt.config_file,
                    "use this config instead of the container's");
    cmd->add_option("-s,--define", a->opt.overrides, "KEY=VALUE: override a config key")
        ->allow_extra_args(false);
    cmd->add_flag("--allow-unapplied", a->opt.allow_unapplied,
                  "start even when the config holds keys kiste cannot apply yet (warns)");
    // Init's arguments come only after "--" (main.cpp hands them over in
    // ctx.command): a stray word after the name is an error, not init's.
    cmd->footer(
        "A command after -- runs instead of lxc.init.cmd (as lxc-start): kiste start NAME -- "
        "COMMAND [ARGS...]");
    cmd->callback([a, &ctx] {
        configure_logging(ctx);
        a->opt.init_args = ctx.command;
        state::ContainerPaths paths{ctx.global.lxcpath, a->name};
        auto st = manager::start(paths, a->opt, ctx.log);
        // lxc-start: a container that already runs is no failure (exit 0).
        if (!st && st.error().code() == EALREADY) {
            ctx.log.warn("{}", st.error().message(false));
            ctx.exit_code = 0;
            return;
        }
        ctx.exit_code = st ? 0 : report(ctx, st.error());
    });
}

}  // namespace kiste::cli
