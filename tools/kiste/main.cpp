// kiste: the manager tool. Dispatches to one verb per file (see commands.hpp).
#include <cstdlib>
#include <filesystem>

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
    for (auto reg : all_verbs()) reg(app, ctx);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return ctx.exit_code;
}
