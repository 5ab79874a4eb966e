// kiste autostart: start, reboot or stop the containers marked with
// lxc.start.auto (lxc-autostart); the systemd unit kiste-autostart.service
// runs it at boot and shutdown. Selection and order: src/template/autostart.hpp.
//   kiste autostart [-r|-s|-k] [-a] [-A] [-g GROUP[,GROUP]]... [-t SECONDS] [-L]
// Exit status as lxc-autostart: 0, 1 when every action failed, 2 when some did.
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "commands.hpp"
#include "config/lxc/config.hpp"
#include "manager/manager.hpp"
#include "state/container_state.hpp"
#include "template/autostart.hpp"

namespace kiste::cli {

namespace {

struct AutostartArgs {
    bool reboot = false, shutdown = false, kill = false;
    bool all = false, ignore_auto = false, list = false;
    std::vector<std::string> groups;
    int timeout = 60;
};

int run_autostart(const AutostartArgs& a, Context& ctx) {
    configure_logging(ctx);
    if (a.all && !a.groups.empty())
        ctx.log.warn("autostart: -a selects every group; -g is ignored");
    const std::string& lxcpath = ctx.global.lxcpath;
    std::vector<tmpl::AutostartEntry> entries;
    for (const auto& name : state::list_containers(lxcpath)) {
        auto cfg = lxc::load_file(state::ContainerPaths{lxcpath, name}.config());
        if (!cfg) {
            ctx.log.warn("autostart: skipping {}: {}", name, cfg.error().message());
            continue;
        }
        entries.push_back({.name = name,
                           .start_auto = cfg->start_auto,
                           .order = cfg->start_order,
                           .delay = cfg->start_delay,
                           .groups = cfg->groups});
    }
    const bool stopping = a.shutdown || a.kill;
    const auto plan = tmpl::plan_autostart(
        std::move(entries),
        {.groups = a.groups, .all = a.all, .ignore_auto = a.ignore_auto, .reverse = stopping});

    int attempted = 0, failed = 0;
    bool pending_delay = false;
    int64_t delay = 0;
    for (const auto& e : plan) {
        const state::ContainerPaths paths{lxcpath, e.name};
        const bool running = state::observe(paths).state != state::State::Stopped;
        // Start what is stopped; reboot and stop what runs.
        if ((a.reboot || stopping) != running) continue;
        if (a.list) {
            if (stopping)
                std::printf("%s\n", e.name.c_str());
            else
                std::printf("%s %lld\n", e.name.c_str(), static_cast<long long>(e.delay));
            std::fflush(stdout);
            continue;
        }
        // lxc.start.delay separates a start from the next one (not after the last).
        if (pending_delay && delay > 0) std::this_thread::sleep_for(std::chrono::seconds(delay));
        ++attempted;
        Status st;
        const char* what = "starting";
        if (a.shutdown) {
            what = "shutting down";
            st = manager::stop(paths, {.timeout_seconds = a.timeout, .kill = false}, ctx.log);
        } else if (a.kill) {
            what = "killing";
            st = manager::stop(paths, {.timeout_seconds = 0, .kill = true}, ctx.log);
        } else if (a.reboot) {
            what = "rebooting";
            st = manager::stop(paths, {.timeout_seconds = a.timeout, .kill = false, .reboot = true},
                               ctx.log);
        } else {
            st = manager::start(paths, manager::StartOptions{}, ctx.log);
        }
        if (!st) {
            ++failed;
            ctx.log.error("autostart: {} {}: {}", what, e.name, st.error().message());
            pending_delay = false;
            continue;
        }
        pending_delay = !stopping;
        delay = e.delay;
    }
    if (failed == 0) return 0;
    return failed == attempted ? 1 : 2;
}

}  // namespace

void register_autostart(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<AutostartArgs>();
    auto* cmd = app.add_subcommand(
        "autostart", "start, reboot or stop the containers marked with lxc.start.auto");
    cmd->fallthrough();
    auto* r = cmd->add_flag("-r,--reboot", args->reboot, "reboot them instead of starting them");
    auto* s = cmd->add_flag("-s,--shutdown", args->shutdown,
                            "shut them down instead (halt signal, SIGKILL after -t)");
    auto* k = cmd->add_flag("-k,--kill", args->kill,
                            "kill them instead (with -s: only those that do not halt in time)");
    r->excludes(s)->excludes(k);
    cmd->add_flag("-a,--all", args->all, "every group (containers with and without lxc.group)");
    cmd->add_flag("-A,--ignore-auto", args->ignore_auto,
                  "ignore lxc.start.auto: every container of the selected groups");
    cmd->add_option("-g,--groups", args->groups,
                    "groups to act on, comma-separated, repeatable; an empty entry "
                    "(\",web\") means the containers without a group (the default)")
        ->allow_extra_args(false);
    cmd->add_option("-t,--timeout", args->timeout,
                    "seconds to wait for a clean shutdown or reboot (default 60)");
    cmd->add_flag("-L,--list", args->list,
                  "only list what would be acted on (with the start delay)");
    cmd->callback([args, &ctx] {
        // -s with -k: a shutdown whose timeout ends in SIGKILL, which -s
        // already does; -k alone kills at once.
        AutostartArgs a = *args;
        if (a.shutdown) a.kill = false;
        ctx.exit_code = run_autostart(a, ctx);
    });
}

}  // namespace kiste::cli
