// kiste: the manager tool. Dispatches to one verb per file (see commands.hpp).
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "commands.hpp"
#include "kiste/error.hpp"

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

// The verbs by the name(s) they register; main() builds only the one named on
// the command line, since constructing all of CLI11's subcommands and options
// was a good part of a short verb's run (and of a monitor's forked heap).
struct NamedVerb {
    const char* name;
    Registrar reg;
};
constexpr NamedVerb kVerbNames[] = {
    {"create", register_create},   {"destroy", register_destroy},     {"ls", register_ls},
    {"start", register_start},     {"stop", register_stop},           {"info", register_info},
    {"ps", register_ps},           {"console", register_console},     {"attach", register_attach},
    {"execute", register_execute}, {"wait", register_wait},           {"freeze", register_freeze},
    {"unfreeze", register_freeze}, {"cgroup", register_cgroup},       {"set", register_set},
    {"top", register_top},         {"autostart", register_autostart}, {"config", register_config},
    {"network", register_network}};

// The registrar of the verb argv names (its first word that is neither a
// global option nor an option's value); nullptr when there is none or it is
// unknown, and then every verb is built (help, errors).
Registrar chosen_verb(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--") return nullptr;
        if (a == "-P" || a == "-o" || a == "-l" || a == "--lxcpath" || a == "--log-file" ||
            a == "--log-level") {
            ++i;  // its value
            continue;
        }
        if (a.starts_with('-')) continue;  // a flag, or an option with its value attached
        for (const auto& v : kVerbNames)
            if (a == v.name) return v.reg;
        return nullptr;
    }
    return nullptr;
}

}  // namespace

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

// The container path as one absolute spelling: the runtime directory and the
// name lock are derived from it, so "-P x" and "-P $PWD/x/" must agree.
std::string absolute_dir(std::string p) {
    if (p.empty()) return p;
    std::string abs = std::filesystem::absolute(p).lexically_normal().string();
    while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
    return abs;
}

}  // namespace kiste::cli

int main(int argc, char** argv) {
    using namespace kiste::cli;
    Context ctx;
    CLI::App app{"kiste: Linux containers, the LXC way and the OCI way", "kiste"};
    app.require_subcommand(1);
    app.set_version_flag("--version", KISTE_VERSION);
    if (const char* p = std::getenv("KISTE_PATH")) ctx.global.lxcpath = absolute_dir(p);
    if (ctx.global.lxcpath.empty()) ctx.global.lxcpath = "/var/lib/kiste";
    app.add_option("-P,--lxcpath", ctx.global.lxcpath, "container path (env KISTE_PATH)")
        ->transform(absolute_dir, "", "absolute");
    app.add_option("-o,--log-file", ctx.global.log_file, "log file");
    app.add_option("-l,--log-level", ctx.global.log_level, "log level (TRACE..FATAL)");
    app.add_flag("-q,--quiet", ctx.global.quiet, "only errors on stderr");
    if (Registrar reg = chosen_verb(argc, argv))
        reg(app, ctx);
    else
        for (auto r : all_verbs()) r(app, ctx);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return ctx.exit_code;
}
