// kiste: the manager tool. Dispatches to one verb per file (see commands.hpp).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string_view>

#include "cli/suggest.hpp"
#include "cli/verb_args.hpp"
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
    // `-n NAME` names the container, as for LXC's tools (split_verb_args).
    bool takes_container;
    // What the words after "--" are for; nullptr when the verb takes none.
    const char* after_dashes;
};
constexpr NamedVerb kVerbNames[] = {
    {"create", register_create, true, "the template's arguments"},
    {"destroy", register_destroy, true, nullptr},
    {"ls", register_ls, false, nullptr},
    {"start", register_start, true, "arguments for the container's init"},
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

struct ChosenVerb {
    const NamedVerb* verb = nullptr;  // nullptr: none named, or `word` is unknown
    int index = 0;                    // its place in argv
    std::string_view word;            // the unknown word in the verb's place
};

// The verb argv names: its first word that is neither a global option nor an
// option's value.
ChosenVerb chosen_verb(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--") return {};
        if (a == "-P" || a == "-o" || a == "-l" || a == "--lxcpath" || a == "--log-file" ||
            a == "--log-level") {
            ++i;  // its value
            continue;
        }
        if (a.starts_with('-')) continue;  // a flag, or an option with its value attached
        for (const auto& v : kVerbNames)
            if (a == v.name) return {&v, i, {}};
        return {nullptr, i, a};
    }
    return {};
}

std::string usage_of(const CLI::App& sub) {
    auto f = std::dynamic_pointer_cast<CLI::Formatter>(sub.get_formatter());
    return f ? f->make_usage(&sub, "kiste " + sub.get_name()) : std::string();
}

std::string quoted_list(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "'" : ", '") + w + "'";
    return out;
}

// A command line the verb cannot read: what is wrong, the verb's usage, and
// where the full help is; status 1, as LXC's tools exit on a usage error.
int usage_error(const CLI::App& app, const NamedVerb& verb, const std::string& what) {
    std::string text = fmt::format("kiste {}: {}\n", verb.name, what);
    if (const CLI::App* sub = app.get_subcommand(verb.name)) text += usage_of(*sub);
    text += fmt::format("Run 'kiste {} --help' for more information.\n", verb.name);
    std::fputs(text.c_str(), stderr);
    return 1;
}

int parse_failure(const CLI::App& app, const NamedVerb& verb, const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    if (dynamic_cast<const CLI::ExtrasError*>(&e) == nullptr)
        return usage_error(app, verb, e.what());
    // Name each word CLI11 could not place.
    std::vector<std::string> options, words;
    for (auto& w : app.remaining(true)) (w.starts_with('-') ? options : words).push_back(w);
    std::string what;
    if (!options.empty())
        what =
            fmt::format("unknown option{} {}", options.size() > 1 ? "s" : "", quoted_list(options));
    if (!words.empty())
        what += fmt::format("{}unexpected argument{} {}", what.empty() ? "" : "; ",
                            words.size() > 1 ? "s" : "", quoted_list(words));
    if (what.empty()) what = e.what();
    if (verb.after_dashes != nullptr && !options.empty())
        what += fmt::format(" ({} go after --)", verb.after_dashes);
    return usage_error(app, verb, what);
}

// `kiste strat`: the word, the nearest verbs and the list of all of them.
int unknown_verb(const CLI::App& app, std::string_view word) {
    std::vector<std::string_view> names;
    for (const auto& v : kVerbNames) names.emplace_back(v.name);
    const auto near = nearest_words(word, names);
    std::string text = fmt::format("kiste: unknown command '{}'", word);
    if (!near.empty()) text += fmt::format("; did you mean {}?", quoted_list(near));
    text += "\nCommands:\n";
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        text += fmt::format("  {:<11}{}\n", sub->get_name(), sub->get_description());
    text += "Run 'kiste COMMAND --help' for a command's options.\n";
    std::fputs(text.c_str(), stderr);
    return 1;
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
    app.add_option("-l,--log-level", ctx.global.log_level, "log level (TRACE..FATAL)")
        ->check(
            [](const std::string& v) {
                return kiste::parse_log_level(v)
                           ? std::string()
                           : fmt::format("unknown log level '{}' (use TRACE..FATAL or 0..8)", v);
            },
            "LEVEL");
    app.add_flag("-q,--quiet", ctx.global.quiet, "only errors on stderr");

    const ChosenVerb chosen = chosen_verb(argc, argv);
    if (chosen.verb == nullptr) {
        for (auto r : all_verbs()) r(app, ctx);
        if (!chosen.word.empty()) return unknown_verb(app, chosen.word);
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
            // No command: the usage and the list of commands.
            if (dynamic_cast<const CLI::RequiredError*>(&e) == nullptr)
                fmt::print(stderr, "kiste: {}\n", e.what());
            std::fputs(app.help().c_str(), stderr);
            return 1;
        }
        return ctx.exit_code;
    }

    const NamedVerb& verb = *chosen.verb;
    verb.reg(app, ctx);
    std::vector<std::string> words(argv, argv + argc);
    if (verb.takes_container || verb.after_dashes != nullptr) {
        const CLI::App* sub = app.get_subcommand(verb.name);
        VerbSyntax syntax{.takes_value =
                              [&](std::string_view opt) {
                                  const CLI::Option* o = sub->get_option_no_throw(std::string(opt));
                                  if (o == nullptr && sub->get_fallthrough())
                                      o = app.get_option_no_throw(std::string(opt));
                                  return o != nullptr && o->get_type_size_min() > 0;
                              },
                          .name_option = verb.takes_container,
                          .command_after_dashes = verb.after_dashes != nullptr};
        auto split = split_verb_args(
            std::span(words).subspan(static_cast<size_t>(chosen.index) + 1), syntax);
        if (!split) return usage_error(app, verb, split.error().message());
        words.resize(static_cast<size_t>(chosen.index) + 1);
        words.insert(words.end(), split->parse.begin(), split->parse.end());
        ctx.command = std::move(split->command);
    }
    std::vector<const char*> c_words;
    for (const auto& w : words) c_words.push_back(w.c_str());
    try {
        app.parse(static_cast<int>(c_words.size()), c_words.data());
    } catch (const CLI::ParseError& e) {
        return parse_failure(app, verb, e);
    }
    return ctx.exit_code;
}
