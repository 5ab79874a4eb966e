// The verb table of the `kiste` tool. Each verb lives in its own cmd_*.cpp
// file and registers itself on the CLI11 app; verbs only parse argv and call
// the library.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/log.hpp"

namespace kiste::cli {

// Options every verb shares (LXC's common options).
struct GlobalOptions {
    std::string lxcpath;    // -P/--lxcpath; env KISTE_PATH; default /var/lib/kiste
    std::string log_file;   // -o/--log-file
    std::string log_level;  // -l/--log-level
    bool quiet = false;     // -q
};

struct Context {
    GlobalOptions global;
    Logger log;
    int exit_code = 0;  // set by the verb's callback
    // The words after "--" for a verb that takes a command (the command start runs instead of init,
    // the attached command...): never parsed as options (see main.cpp).
    std::vector<std::string> command;
};

// -n/--name NAME, the spelling of LXC's tools, for every verb that takes a
// container: main() moves NAME to the first positional argument before CLI11
// parses (cli/verb_args.hpp), so this option only shows it in the help.
inline void add_name_option(CLI::App* cmd) {
    static std::string moved_to_the_positional;
    cmd->add_option("-n,--name", moved_to_the_positional,
                    "container name (the same as the NAME argument)");
}

// A verb registers its subcommand; the callback it installs stores the exit
// code in ctx.exit_code.
using Registrar = void (*)(CLI::App& app, Context& ctx);

// Every verb's registrar, in the order `kiste --help` lists them.
const std::vector<Registrar>& all_verbs();

// Applies -o/-l (and the config's lxc.log.*, passed by the verb) to ctx.log.
void configure_logging(Context& ctx, const std::string& config_log_file = {},
                       const std::string& config_log_level = {});

// Prints an error as "kiste: <message>" and returns the exit code 1.
int report(Context& ctx, const class Error& e);

// Verbs, one file each (cmd_VERB.cpp).
void register_create(CLI::App& app, Context& ctx);
void register_destroy(CLI::App& app, Context& ctx);
void register_ls(CLI::App& app, Context& ctx);
void register_start(CLI::App& app, Context& ctx);
void register_stop(CLI::App& app, Context& ctx);
void register_info(CLI::App& app, Context& ctx);
void register_ps(CLI::App& app, Context& ctx);
void register_console(CLI::App& app, Context& ctx);
void register_attach(CLI::App& app, Context& ctx);
void register_execute(CLI::App& app, Context& ctx);
void register_wait(CLI::App& app, Context& ctx);
void register_freeze(CLI::App& app, Context& ctx);  // freeze and unfreeze
void register_cgroup(CLI::App& app, Context& ctx);
void register_set(CLI::App& app, Context& ctx);
void register_top(CLI::App& app, Context& ctx);
void register_autostart(CLI::App& app, Context& ctx);
void register_config(CLI::App& app, Context& ctx);
void register_network(CLI::App& app, Context& ctx);  // create, ls, rm

}  // namespace kiste::cli
