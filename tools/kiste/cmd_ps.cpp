// kiste ps: the processes of a running container, with host and container
// PIDs (the talk's lxc-ps). With `-- PS-OPTIONS`, the host's ps shows them.
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "attach/ps.hpp"
#include "commands.hpp"
#include "state/run_lock.hpp"

namespace kiste::cli {

namespace {

struct PsArgs {
    std::string name;  // or -n NAME (main.cpp makes it this argument)
    std::string format = "table";
    std::vector<std::string> ps_options;
};

int run_host_ps(const std::vector<pid_t>& pids, const std::vector<std::string>& options,
                Context& ctx) {
    std::string list;
    for (pid_t p : pids) list += (list.empty() ? "" : ",") + std::to_string(p);
    std::vector<std::string> argv = {"ps"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.emplace_back("-p");
    argv.push_back(list);
    std::vector<char*> c_argv;
    for (auto& s : argv) c_argv.push_back(s.data());
    c_argv.push_back(nullptr);
    std::fflush(stdout);
    ::execvp("ps", c_argv.data());
    ctx.log.error("running the host's ps: {}", Error::from_errno("execvp ps").message());
    return 127;
}

int run_ps(PsArgs& a, Context& ctx) {
    configure_logging(ctx);
    a.ps_options.insert(a.ps_options.end(), ctx.command.begin(), ctx.command.end());
    if (a.name.empty()) {
        ctx.log.error("ps: no container name given (kiste ps NAME [-- PS-OPTIONS])");
        return 1;
    }
    if (auto st = state::validate_name(a.name); !st) return report(ctx, st.error());
    const state::ContainerPaths paths{ctx.global.lxcpath, a.name};
    if (!a.ps_options.empty()) {
        auto pids = attach::container_pids(paths);
        if (!pids) return report(ctx, pids.error());
        if (pids->empty()) {
            ctx.log.error("container {} has no processes", a.name);
            return 1;
        }
        return run_host_ps(*pids, a.ps_options, ctx);
    }
    auto procs = attach::container_processes(paths);
    if (!procs) return report(ctx, procs.error());
    const std::string out =
        a.format == "json" ? attach::format_ps_json(*procs) : attach::format_ps_table(*procs);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

}  // namespace

void register_ps(CLI::App& app, Context& ctx) {
    auto a = std::make_shared<PsArgs>();
    auto* cmd = app.add_subcommand(
        "ps", "list a running container's processes with host and container PIDs");
    add_name_option(cmd);
    cmd->add_option("--format", a->format, "table (default) or json")
        ->check(CLI::IsMember({"table", "json"}));
    cmd->add_option("name", a->name, "container name");
    cmd->add_option("ps-options", a->ps_options,
                    "after --: options for the host's ps, run as `ps PS-OPTIONS -p PIDS`")
        ->allow_extra_args();
    cmd->callback([a, &ctx] { ctx.exit_code = run_ps(*a, ctx); });
}

}  // namespace kiste::cli
