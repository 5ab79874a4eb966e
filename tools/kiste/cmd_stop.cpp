// kiste stop: halt (or reboot, or kill) a running container (lxc-stop).
#include <unistd.h>

#include "commands.hpp"
#include "manager/manager.hpp"

namespace kiste::cli {

namespace {

// lxc-stop's exit codes: 2 when the container was not running; a halt that
// ran out of time and had to kill fails (1) with a message.
int stop_exit_code(Context& ctx, const state::ContainerPaths& paths,
                   const manager::StopOptions& opt, manager::StopOutcome outcome) {
    switch (outcome) {
        case manager::StopOutcome::NotRunning:
            if (::access(paths.config().c_str(), F_OK) != 0)
                ctx.log.error("container {} does not exist in {}", paths.name, paths.lxcpath);
            else
                ctx.log.error("container {} is not running", paths.name);
            return 2;
        case manager::StopOutcome::Killed:
            ctx.log.error(
                "container {} did not halt within {} s and was killed (its init may wait for "
                "another halt signal: lxc.signal.halt)",
                paths.name, opt.timeout_seconds);
            return 1;
        case manager::StopOutcome::Stopped:
        case manager::StopOutcome::Cleaned:
        case manager::StopOutcome::Rebooting: return 0;
    }
    return 0;
}

}  // namespace

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
        auto outcome = manager::stop_container(paths, a->opt, ctx.log);
        ctx.exit_code =
            outcome ? stop_exit_code(ctx, paths, a->opt, *outcome) : report(ctx, outcome.error());
    });
}

}  // namespace kiste::cli
