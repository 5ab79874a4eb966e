// kiste wait: block until a container reaches a state (lxc-wait).
#include "commands.hpp"
#include "manager/manager.hpp"

namespace kiste::cli {

void register_wait(CLI::App& app, Context& ctx) {
    struct Args {
        std::string name;
        std::string state;
        std::string state_opt;  // -s, lxc-wait's spelling
        int timeout = -1;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("wait", "wait until a container reaches a state");
    cmd->fallthrough();
    add_name_option(cmd);
    cmd->add_option("name", a->name, "container name")->required();
    cmd->add_option("state", a->state,
                    "STOPPED, STARTING, RUNNING, STOPPING, ABORTING or FROZEN; several as "
                    "\"RUNNING|FROZEN\": the first reached");
    // lxc-wait's -s STATE, kept out of the help: one way to write it there.
    cmd->add_option("-s,--state", a->state_opt)->group("");
    cmd->add_option("-t,--timeout", a->timeout, "seconds (-1: forever)");
    cmd->footer("Example: kiste wait web RUNNING -t 10");
    cmd->callback([a, &ctx] {
        configure_logging(ctx);
        if (!a->state_opt.empty()) {
            if (!a->state.empty() && a->state != a->state_opt) {
                ctx.exit_code =
                    report(ctx, Error::msg(fmt::format("wait: two states given ('{}' and -s '{}')",
                                                       a->state, a->state_opt)));
                return;
            }
            a->state = a->state_opt;
        }
        if (a->state.empty()) {
            ctx.exit_code =
                report(ctx, Error::msg("wait: which state? kiste wait NAME STATE (e.g. RUNNING)"));
            return;
        }
        // lxc-wait accepts "RUNNING|STOPPED"; the first reached wins.
        std::vector<state::State> wanted;
        size_t start = 0;
        while (start <= a->state.size()) {
            size_t bar = a->state.find('|', start);
            if (bar == std::string::npos) bar = a->state.size();
            auto s = state::parse_state(a->state.substr(start, bar - start));
            if (!s) {
                ctx.exit_code =
                    report(ctx, Error::msg(fmt::format("unknown state '{}'", a->state)));
                return;
            }
            wanted.push_back(*s);
            start = bar + 1;
        }
        state::ContainerPaths paths{ctx.global.lxcpath, a->name};
        auto st = manager::wait_for_state(paths, wanted, a->timeout);
        ctx.exit_code = st ? 0 : report(ctx, st.error());
    });
}

}  // namespace kiste::cli
