// kiste freeze / kiste unfreeze: stop or resume every process of a running
// container through its cgroup's freezer (lxc-freeze, lxc-unfreeze), on v1
// (freezer.state) and v2 (cgroup.freeze) alike.
#include <filesystem>
#include <memory>

#include "cgroup/cgroup.hpp"
#include "commands.hpp"
#include "state/container_state.hpp"

namespace kiste::cli {

namespace {

// The cgroups the running container's monitor recorded.
Result<std::unique_ptr<cgroup::Manager>> open_running(const Context& ctx, const std::string& name) {
    state::ContainerPaths paths{ctx.global.lxcpath, name};
    auto obs = state::observe(paths);
    if (obs.state == state::State::Stopped) {
        if (!std::filesystem::exists(paths.config()))
            return fail("container '{}' does not exist in {}", name, ctx.global.lxcpath);
        return fail("container '{}' is not running", name);
    }
    if (!obs.recorded || obs.recorded->cgroup_paths.empty())
        return fail("container '{}' is {} but its state records no cgroup", name,
                    state::state_name(obs.state));
    return with_context(cgroup::open_manager(obs.recorded->cgroup_paths), "container '{}'", name);
}

int run(Context& ctx, const std::string& name, bool freeze) {
    auto m = open_running(ctx, name);
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
        cmd->add_option("name", *name, "container name")->required();
        cmd->callback([name, freeze, &ctx] {
            configure_logging(ctx);
            ctx.exit_code = run(ctx, *name, freeze);
        });
    }
}

}  // namespace kiste::cli
