// kiste execute: run one command in an application container (lxc-execute).
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <optional>

#include "cgroup/pty_access.hpp"
#include "commands.hpp"
#include "config/lxc/config.hpp"
#include "config/lxc/validate.hpp"
#include "lifecycle/execute.hpp"
#include "manager/execute_ttys.hpp"
#include "manager/manager.hpp"

namespace kiste::cli {

namespace {

struct ExecuteArgs {
    std::string name;
    std::string config_file;
    std::vector<std::string> overrides;
    std::vector<std::string> command;
    bool allow_unapplied = false;
};

// The container NAME defined in the container path, as lxc-execute takes
// it: its LXCPATH/NAME/config is the config when no -f names another one.
// nullopt: no -n, -f given, or no such container (a run from -f and -s alone).
std::optional<state::ContainerPaths> defined_container(const ExecuteArgs& a, const Context& ctx) {
    if (a.name.empty() || !a.config_file.empty() || !state::validate_name(a.name)) return {};
    state::ContainerPaths paths{ctx.global.lxcpath, a.name};
    struct stat st {};
    if (::stat(paths.config().c_str(), &st) < 0) return {};
    return paths;
}

Result<lxc::LxcConfig> load_config(const ExecuteArgs& a,
                                   const std::optional<state::ContainerPaths>& defined) {
    if (defined) return manager::load_config(*defined, {}, a.overrides);
    lxc::LxcConfig cfg = a.config_file.empty() ? KISTE_TRY(lxc::load_string("", "(no config)"))
                                               : KISTE_TRY(lxc::load_file(a.config_file));
    for (const auto& o : a.overrides) KISTE_TRY_CTX(lxc::apply_override(cfg, o), "-s {}", o);
    return cfg;
}

Result<ContainerSpec> load_spec(const ExecuteArgs& a,
                                const std::optional<state::ContainerPaths>& defined, Context& ctx) {
    lxc::LxcConfig cfg = KISTE_TRY(load_config(a, defined));
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
    KISTE_TRY(lxc::validate_spec(cfg, spec));
    return spec;
}

int run_execute(ExecuteArgs& a, Context& ctx) {
    const auto defined = defined_container(a, ctx);
    auto spec = load_spec(a, defined, ctx);
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
    // The console: this terminal's pty, when there is a rootfs (see runtime::execute).
    const bool console = !spec->rootfs.path.empty() && ::isatty(STDIN_FILENO);
    if (auto w = cgroup::pty_access_warning(spec->name, ttys ? spec->dev.tty_max : 0, console,
                                            spec->cgroup))
        ctx.log.warn("{}", *w);
    // The container is named in the container path's run root, where a
    // `kiste start` of the same name would hold it: one name, one container.
    lifecycle::ExecutePlace place{ctx.global.lxcpath, defined ? defined->config() : a.config_file};
    auto status = lifecycle::execute(*spec, place, ctx.log, ttys.get());
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
