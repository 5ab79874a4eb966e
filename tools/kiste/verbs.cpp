// The verb table and what every verb shares (commands.hpp, verb_table.hpp).
#include <algorithm>

#include "commands.hpp"
#include "kiste/error.hpp"
#include "verb_table.hpp"

namespace kiste::cli {

const std::vector<Registrar>& all_verbs() {
    static const std::vector<Registrar> verbs = {
        register_create,    register_destroy, register_ls,      register_start,  register_stop,
        register_info,      register_ps,      register_console, register_attach, register_execute,
        register_wait,      register_freeze,  register_cgroup,  register_set,    register_top,
        register_autostart, register_config,  register_network};
    return verbs;
}

namespace {

constexpr NamedVerb kVerbNames[] = {
    {"create", register_create, true, "the template's arguments"},
    {"destroy", register_destroy, true, nullptr},
    {"ls", register_ls, false, nullptr},
    {"start", register_start, true, "a command to run instead of the container's init"},
    {"stop", register_stop, true, nullptr},
    {"info", register_info, true, nullptr},
    {"ps", register_ps, true, "options for the host's ps"},
    {"console", register_console, true, nullptr},
    {"attach", register_attach, true, "the command and its arguments"},
    // execute's -n names a new container and is optional: no positional name.
    {"execute", register_execute, false, "the command and its arguments"},
    {"wait", register_wait, true, nullptr},
    {"freeze", register_freeze, true, nullptr},
    {"unfreeze", register_freeze, true, nullptr},
    {"cgroup", register_cgroup, true, nullptr},
    {"set", register_set, true, nullptr},
    {"top", register_top, false, nullptr},
    {"autostart", register_autostart, false, nullptr},
    {"config", register_config, false, nullptr},
    {"network", register_network, false, nullptr}};

}  // namespace

std::span<const NamedVerb> named_verbs() {
    return kVerbNames;
}

VerbSyntax verb_syntax(const CLI::App& app, const CLI::App& sub, const NamedVerb& verb) {
    return {.takes_value =
                [&app, &sub](std::string_view opt) {
                    const CLI::Option* o = sub.get_option_no_throw(std::string(opt));
                    if (o == nullptr && sub.get_fallthrough())
                        o = app.get_option_no_throw(std::string(opt));
                    // A flag is an option that expects no items (CLI11's
                    // add_flag sets expected(0) and leaves the type size 1).
                    return o != nullptr && o->get_items_expected_min() > 0;
                },
            .name_option = verb.takes_container,
            .command_after_dashes = verb.after_dashes != nullptr};
}

void configure_logging(Context& ctx, const std::string& config_log_file,
                       const std::string& config_log_level) {
    std::string level = !ctx.global.log_level.empty() ? ctx.global.log_level : config_log_level;
    std::string file = !ctx.global.log_file.empty() ? ctx.global.log_file : config_log_file;
    if (!level.empty()) {
        if (auto l = parse_log_level(level)) {
            ctx.log.set_file_level(*l);
            // An explicit --log-level also shows those messages on stderr
            // when no log file is given.
            if (file.empty()) ctx.log.set_stderr_level(std::min(*l, LogLevel::Warn));
        } else {
            ctx.log.warn("unknown log level '{}' (use TRACE..FATAL or 0..8)", level);
        }
    }
    if (!file.empty()) {
        if (auto st = ctx.log.open_file(file); !st) ctx.log.warn("{}", st.error().message());
    }
    if (ctx.global.quiet) ctx.log.set_stderr_level(LogLevel::Error);
}

int report(Context& ctx, const Error& e) {
    ctx.log.error("{}", e.message());
    return 1;
}

}  // namespace kiste::cli
