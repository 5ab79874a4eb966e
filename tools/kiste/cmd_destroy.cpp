// kiste destroy: remove a container (lxc-destroy).
//   kiste destroy NAME [-f]      -f stops a running container first
#include <memory>

#include "commands.hpp"
#include "template/create.hpp"

namespace kiste::cli {

namespace {

struct DestroyArgs {
    std::string name;  // or -n NAME (main.cpp makes it this argument)
    bool force = false;
    int timeout = 10;
};

}  // namespace

void register_destroy(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<DestroyArgs>();
    auto* cmd = app.add_subcommand("destroy", "remove a container: rootfs, config and state");
    cmd->fallthrough();
    add_name_option(cmd);
    cmd->add_option("name", args->name, "container name");
    cmd->add_flag("-f,--force", args->force, "stop a running container first");
    cmd->add_option("-t,--timeout", args->timeout,
                    "with -f: seconds to wait for a clean stop before SIGKILL (default 10)");
    cmd->callback([args, &ctx] {
        configure_logging(ctx);
        const std::string& name = args->name;
        if (name.empty()) {
            ctx.log.error("destroy: which container? kiste destroy NAME [-f]");
            ctx.exit_code = 1;
            return;
        }
        auto st = tmpl::destroy({ctx.global.lxcpath, name},
                                {.force = args->force, .stop_timeout = args->timeout}, ctx.log);
        ctx.exit_code = st ? 0 : report(ctx, st.error());
    });
}

}  // namespace kiste::cli
