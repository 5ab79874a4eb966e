// kiste freeze / kiste unfreeze: stop or resume every process of a running
// container through its cgroup's freezer (lxc-freeze, lxc-unfreeze), on v1
// (freezer.state) and v2 (cgroup.freeze) alike.
#include <memory>

#include "cgroup/cgroup.hpp"
#include "commands.hpp"
#include "manager/set.hpp"
#include "state/container_state.hpp"

namespace kiste::cli {

namespace {

int run(Context& ctx, const std::string& name, bool freeze) {
    auto m = manager::open_running_cgroups({ctx.global.lxcpath, name});
    if (!m) return report(ctx, m.error());
    auto st = freeze ? (*m)->freeze() : (*m)->thaw();
    if (!st) {
        return report(ctx, Error(st.error())
                               .context(fmt::format("{} container '{}'",
                                                    freeze ? "freezing" : "thawing", name)));
    }
    return 0;
}

}  // namespace

void register_freeze(CLI::App& app, Context& ctx) {
    for (bool freeze : {true, false}) {
        auto name = std::make_shared<std::string>();
        auto* cmd = app.add_subcommand(
            freeze ? "freeze" : "unfreeze",
            freeze ? "freeze all the processes of a running container" : "thaw a frozen container");
        cmd->fallthrough();
        add_name_option(cmd);
        cmd->add_option("name", *name, "container name")->required();
        cmd->callback([name, freeze, &ctx] {
            configure_logging(ctx);
            ctx.exit_code = run(ctx, *name, freeze);
        });
    }
}

}  // namespace kiste::cli
