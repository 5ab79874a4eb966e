// kiste config: the LXC config language from the command line.
//   kiste config --convert FILE      the file in today's keys (comments kept)
//   kiste config -f FILE KEY         one key's value (list keys: one per line)
//   kiste config -f FILE             check the file; silent on success
// -s KEY=VALUE applies overrides first, as `kiste execute -s` would.
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "config/lxc/config.hpp"

namespace kiste::cli {

namespace {

struct ConfigArgs {
    std::string convert_file;
    std::string config_file;
    std::vector<std::string> overrides;
    std::string key;
};

int run_convert(const ConfigArgs& a, Context& ctx) {
    auto cfg_text = [&]() -> Result<std::string> {
        std::FILE* f = std::fopen(a.convert_file.c_str(), "re");
        if (f == nullptr) return fail_errno("cannot read '{}'", a.convert_file);
        std::string text;
        char buf[8192];
        size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
        const bool bad = std::ferror(f) != 0;
        std::fclose(f);
        if (bad) return fail("cannot read '{}'", a.convert_file);
        return text;
    }();
    if (!cfg_text) return report(ctx, cfg_text.error());
    auto out = lxc::convert_legacy(*cfg_text, a.convert_file);
    if (!out) return report(ctx, out.error());
    std::cout << *out;
    if (!out->empty() && out->back() != '\n') std::cout << '\n';
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
    // contradictions); keys kiste cannot apply yet are only mentioned.
    auto spec = lxc::to_spec(*cfg);
    if (!spec) return report(ctx, spec.error());
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
