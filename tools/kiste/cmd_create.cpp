// kiste create: a new container from a template (lxc-create).
//   kiste create NAME -t TEMPLATE [-f CONFIG] [-- TEMPLATE-ARGS...]
//   kiste create -n NAME -t TEMPLATE ...           (LXC's spelling)
// See src/template/create.hpp for what it makes and how it cleans up.
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "template/create.hpp"

namespace kiste::cli {

namespace {

struct CreateArgs {
    std::string name;  // or -n NAME (main.cpp makes it this argument)
    std::string template_name;
    std::string config_file;
};

int run_create(CreateArgs& a, Context& ctx) {
    configure_logging(ctx);
    const std::string& name = a.name;
    if (name.empty()) {
        ctx.log.error("create: which container? kiste create NAME -t TEMPLATE");
        return 1;
    }
    if (a.template_name.empty()) {
        ctx.log.error(
            "create: give a template with -t (busybox, debian, dir, an external one, or "
            "'none' for a config with an empty rootfs to fill)");
        return 1;
    }
    tmpl::CreateOptions opt;
    opt.template_name = a.template_name;
    opt.config_file = a.config_file;
    opt.template_args = ctx.command;  // only the words after "--"
    const bool quiet = ctx.global.quiet;
    opt.progress = [quiet](std::string_view line) {
        if (!quiet)
            std::fprintf(stderr, "kiste: %.*s\n", static_cast<int>(line.size()), line.data());
    };
    auto st = tmpl::create({ctx.global.lxcpath, name}, opt, ctx.log);
    if (!st) return report(ctx, st.error());
    return 0;
}

}  // namespace

void register_create(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<CreateArgs>();
    auto* cmd = app.add_subcommand("create", "create a container from a template");
    cmd->fallthrough();
    add_name_option(cmd);
    cmd->add_option("-t,--template", args->template_name,
                    "busybox, debian, dir, none, a kiste-NAME/lxc-NAME template, or a path");
    cmd->add_option("-f,--config", args->config_file,
                    "initial config (its keys are kept; the template adds its own)");
    cmd->add_option("name", args->name, "container name");
    cmd->footer(
        "Examples:\n"
        "  kiste create web -t busybox\n"
        "  kiste create deb -t debian -- --release bookworm --mirror http://deb.debian.org/debian\n"
        "  kiste create mine -t dir -- --dir /srv/rootfs\n"
        "  kiste create c1 -t download -- -d alpine -r 3.19 -a amd64   (LXC's lxc-download)\n"
        "Templates are found in $KISTE_TEMPLATE_PATH, kiste's templates directory and\n"
        "/usr/share/lxc/templates; the debian cache is $KISTE_CACHE_DIR (/var/cache/kiste).");
    cmd->callback([args, &ctx] { ctx.exit_code = run_create(*args, ctx); });
}

}  // namespace kiste::cli
