// kiste config: the LXC config language from the command line.
//   kiste config --convert FILE      the file in today's keys (comments kept)
//   kiste config --convert FILE -i   the same, written back to FILE (FILE.backup
//                                    keeps the old text, as lxc-update-config)
//   kiste config -f FILE KEY         one key's value (list keys: one per line)
//   kiste config -f FILE             check the file; silent on success
// -s KEY=VALUE applies overrides first, as `kiste execute -s` would.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "config/lxc/config.hpp"
#include "config/lxc/convert.hpp"
#include "config/lxc/validate.hpp"

namespace kiste::cli {

namespace {

struct ConfigArgs {
    std::string convert_file;
    std::string config_file;
    std::vector<std::string> overrides;
    std::string key;
    bool in_place = false;
};

// Lines that cannot be converted are kept as they are, each with a warning
// (lxc-update-config leaves what it does not know alone, too).
int run_convert(const ConfigArgs& a, Context& ctx) {
    auto text = lxc::read_config_text(a.convert_file);
    if (!text) return report(ctx, text.error());
    lxc::Conversion conv = lxc::convert_config(*text, a.convert_file);
    for (const auto& w : conv.warnings) ctx.log.warn("{}; the line is kept as it is", w);
    if (a.in_place) {
        if (conv.text == *text) {
            ctx.log.info("{}: already in today's keys, left unchanged", a.convert_file);
            return 0;
        }
        if (auto st = lxc::replace_config_file(a.convert_file, conv.text); !st)
            return report(ctx, st.error());
        return 0;
    }
    std::cout << conv.text;
    if (!conv.text.empty() && conv.text.back() != '\n') std::cout << '\n';
    return 0;
}

int run_query(const ConfigArgs& a, Context& ctx) {
    auto cfg = lxc::load_file(a.config_file);
    if (!cfg) return report(ctx, cfg.error());
    for (const auto& o : a.overrides) {
        if (auto st = lxc::apply_override(*cfg, o); !st)
            return report(ctx, Error(st.error()).context(fmt::format("-s {}", o)));
    }
    for (const auto& note : cfg->notes) ctx.log.info("{}", note);
    if (!a.key.empty()) {
        auto value = lxc::get_key(*cfg, a.key);
        if (!value) return report(ctx, value.error());
        if (!value->empty()) std::cout << *value << '\n';
        return 0;
    }
    // No key: check that the file also resolves (fstab readable, no
    // contradictions, nothing the runtime would refuse at a start); keys
    // kiste cannot apply yet are only mentioned.
    auto spec = lxc::to_spec(*cfg);
    if (!spec) return report(ctx, spec.error());
    // The command is the caller's (execute's words after --, start's init).
    if (spec->process.args.empty()) spec->process.args = {"/sbin/init"};
    if (auto st = lxc::validate_spec(*cfg, *spec); !st) return report(ctx, st.error());
    for (const auto& u : spec->unapplied)
        ctx.log.info("{}: {} = {}: {}", u.origin, u.key, u.value, u.reason);
    return 0;
}

}  // namespace

void register_config(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<ConfigArgs>();
    auto* cmd = app.add_subcommand("config", "check, query or convert an LXC-style config file");
    auto* convert = cmd->add_option("--convert", args->convert_file,
                                    "print FILE with legacy keys renamed to today's");
    auto* in_place = cmd->add_flag("-i,--in-place", args->in_place,
                                   "with --convert: rewrite FILE (the old text goes to "
                                   "FILE.backup)");
    in_place->needs(convert);
    auto* file = cmd->add_option("-f,--rcfile", args->config_file, "the config file to read");
    cmd->add_option("-s,--define", args->overrides, "KEY=VALUE: override a config key")
        ->allow_extra_args(false);
    cmd->add_option("key", args->key, "print this key's value (e.g. lxc.uts.name)");
    convert->excludes(file);
    cmd->callback([args, &ctx] {
        configure_logging(ctx);
        if (!args->convert_file.empty()) {
            ctx.exit_code = run_convert(*args, ctx);
        } else if (!args->config_file.empty()) {
            ctx.exit_code = run_query(*args, ctx);
        } else {
            ctx.log.error(
                "config: give --convert FILE, or -f FILE [KEY] (see kiste config --help)");
            ctx.exit_code = 1;
        }
    });
}

}  // namespace kiste::cli
