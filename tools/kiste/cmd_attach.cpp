// kiste attach: run a command inside a running container (lxc-attach).
#include <limits>
#include <memory>

#include "attach/attach.hpp"
#include "attach/sealed_self.hpp"
#include "commands.hpp"
#include "state/run_lock.hpp"

namespace kiste::cli {

namespace {

struct AttachArgs {
    std::string name;  // or -n NAME (main.cpp makes it this argument)
    int64_t uid = -1;
    int64_t gid = -1;
    std::string cwd;
    bool cwd_given = false;
    bool keep_env = false;
    attach::AttachOptions opt;
};

int run_attach(AttachArgs& a, Context& ctx) {
    configure_logging(ctx);
    a.opt.command.insert(a.opt.command.end(), ctx.command.begin(), ctx.command.end());
    if (a.name.empty()) {
        ctx.log.error("attach: no container name given (kiste attach NAME [-- COMMAND])");
        return 1;
    }
    if (auto st = state::validate_name(a.name); !st) return report(ctx, st.error());
    if (a.keep_env && a.opt.clear_env) {
        ctx.log.error("attach: --keep-env and --clear-env exclude each other");
        return 1;
    }
    // Before anything is forked: every helper then runs from the sealed image.
    if (auto st = attach::run_from_sealed_image(ctx.log); !st) return report(ctx, st.error());
    if (a.uid >= 0) a.opt.uid = static_cast<uint32_t>(a.uid);
    if (a.gid >= 0) a.opt.gid = static_cast<uint32_t>(a.gid);
    if (a.cwd_given) a.opt.cwd = a.cwd;
    auto status = attach::attach(state::ContainerPaths{ctx.global.lxcpath, a.name}, a.opt, ctx.log);
    if (!status) return report(ctx, status.error());
    return status->shell_code();
}

}  // namespace

void register_attach(CLI::App& app, Context& ctx) {
    auto a = std::make_shared<AttachArgs>();
    auto* cmd = app.add_subcommand(
        "attach",
        "run a command inside a running container (default: the user's shell); a pty only "
        "when stdin and stdout are terminals");
    const auto id_range = CLI::Range(int64_t{0}, int64_t{std::numeric_limits<uint32_t>::max() - 1});
    add_name_option(cmd);
    cmd->add_option("-u,--uid", a->uid, "user id inside the container (default 0)")
        ->check(id_range);
    cmd->add_option("-g,--gid", a->gid,
                    "group id inside the container (default: the user's group in the "
                    "container's /etc/passwd, else 0)")
        ->check(id_range);
    cmd->add_flag("--clear-env", a->opt.clear_env,
                  "start from an empty environment: only PATH and container=lxc (as lxc-attach)");
    cmd->add_flag("--keep-env", a->keep_env, "keep kiste's environment (the default)");
    cmd->add_option("-v,--set-var", a->opt.env, "VAR=VALUE (or VAR: kiste's value); repeatable")
        ->allow_extra_args(false);
    cmd->add_option("--cwd", a->cwd, "working directory inside (default: the user's home, else /)")
        ->each([a](const std::string&) { a->cwd_given = true; });
    cmd->add_flag("-e,--elevated-privileges", a->opt.elevated,
                  "keep kiste's capabilities and stay out of the container's cgroups");
    cmd->add_option("name", a->name, "container name");
    cmd->add_option("command", a->opt.command, "the command and its arguments (after --)")
        ->allow_extra_args();
    cmd->callback([a, &ctx] { ctx.exit_code = run_attach(*a, ctx); });
}

}  // namespace kiste::cli
