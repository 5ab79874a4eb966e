// kiste execute: run one command in an application container (lxc-execute).
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>

#include "commands.hpp"
#include "config/lxc/config.hpp"
#include "manager/execute_ttys.hpp"
#include "runtime/executor.hpp"

namespace kiste::cli {

namespace {

struct ExecuteArgs {
    std::string name;
    std::string config_file;
    std::vector<std::string> overrides;
    std::vector<std::string> command;
    bool allow_unapplied = false;
};

Result<ContainerSpec> load_spec(const ExecuteArgs& a, Context& ctx) {
    lxc::LxcConfig cfg = a.config_file.empty() ? KISTE_TRY(lxc::load_string("", "(no config)"))
                                               : KISTE_TRY(lxc::load_file(a.config_file));
    for (const auto& o : a.overrides) KISTE_TRY_CTX(lxc::apply_override(cfg, o), "-s {}", o);
    configure_logging(ctx, cfg.log_file, cfg.log_level);
    ContainerSpec spec = KISTE_TRY(lxc::to_spec(cfg));
    if (!a.command.empty()) {
        spec.process.args = a.command;
    } else if (!cfg.execute_cmd.empty()) {
        spec.process.args = KISTE_TRY(lxc::split_command(cfg.execute_cmd));
    } else {
        return fail(
            "no command given: kiste execute [-n NAME] [-f CONFIG] -- COMMAND [ARG...] "
            "(or set lxc.execute.cmd)");
    }
    return spec;
}

int run_execute(ExecuteArgs& a, Context& ctx) {
    auto spec = load_spec(a, ctx);
    if (!spec) return report(ctx, spec.error());
    if (!spec->unapplied.empty()) {
        for (const auto& u : spec->unapplied)
            ctx.log.log(a.allow_unapplied ? LogLevel::Warn : LogLevel::Error, "{}: {} = {}: {}",
                        u.origin, u.key, u.value, u.reason);
        if (!a.allow_unapplied) {
            ctx.log.error("refusing to run without the keys above (--allow-unapplied runs anyway)");
            return 1;
        }
    }
    spec->name = a.name;
    // lxc.tty.max: ttys served to `kiste console` while the container runs,
    // when there is a /dev of kiste's to bind them into (else the key was
    // reported above).
    std::unique_ptr<manager::ExecuteTtys> ttys;
    if (spec->dev.tty_max > 0 && !spec->rootfs.path.empty() && spec->dev.autodev)
        ttys = std::make_unique<manager::ExecuteTtys>(spec->dev.tty_max, ctx.log);
    auto status = runtime::execute(*spec, ctx.log, ttys.get());
    if (!status) return report(ctx, status.error());
    return status->shell_code();
}

}  // namespace

void register_execute(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<ExecuteArgs>();
    auto* cmd = app.add_subcommand("execute", "run a command in an application container");
    cmd->fallthrough();
    cmd->add_option("-n,--name", args->name, "container name (default: a generated one)");
    cmd->add_option("-f,--rcfile", args->config_file, "LXC-style configuration file");
    cmd->add_option("-s,--define", args->overrides, "KEY=VALUE: override a config key")
        ->allow_extra_args(false);
    cmd->add_flag("--allow-unapplied", args->allow_unapplied,
                  "run even when the config holds keys kiste cannot apply yet (warns)");
    cmd->add_option("command", args->command, "the command and its arguments (after --)")
        ->allow_extra_args();
    cmd->callback([args, &ctx] {
        args->command.insert(args->command.end(), ctx.command.begin(), ctx.command.end());
        ctx.exit_code = run_execute(*args, ctx);
    });
}

}  // namespace kiste::cli
