// kiste: the manager tool. Dispatches to one verb per file (see commands.hpp).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

#include "cli/suggest.hpp"
#include "cli/verb_args.hpp"
#include "commands.hpp"
#include "kiste/error.hpp"
#include "verb_table.hpp"

namespace kiste::cli {

namespace {

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
        for (const auto& v : named_verbs())
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

// `split`: how main() split the verb's words, when it did.
int parse_failure(const CLI::App& app, const NamedVerb& verb, const CLI::ParseError& e,
                  const VerbArgs* split) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    if (dynamic_cast<const CLI::ExtrasError*>(&e) == nullptr)
        return usage_error(app, verb, e.what());
    // Name each word CLI11 could not place.
    std::vector<std::string> options, words;
    for (auto& w : app.remaining(true)) (w.starts_with('-') ? options : words).push_back(w);
    std::string what;
    // `create x -t busybox -n y`: -n's NAME took the name's place, and the
    // word typed as the name is left over.
    if (split != nullptr && split->name_option && split->first_word &&
        std::erase(words, *split->first_word) > 0)
        what = fmt::format("two container names given: '{}' and -n '{}'", *split->first_word,
                           *split->name_option);
    if (!options.empty())
        what += fmt::format("{}unknown option{} {}", what.empty() ? "" : "; ",
                            options.size() > 1 ? "s" : "", quoted_list(options));
    if (!words.empty())
        what += fmt::format("{}unexpected argument{} {}", what.empty() ? "" : "; ",
                            words.size() > 1 ? "s" : "", quoted_list(words));
    if (what.empty()) what = e.what();
    if (verb.after_dashes != nullptr && (!options.empty() || !words.empty()))
        what += fmt::format(" ({} go after --)", verb.after_dashes);
    return usage_error(app, verb, what);
}

// `kiste strat`: the word, the nearest verbs and the list of all of them.
int unknown_verb(const CLI::App& app, std::string_view word) {
    std::vector<std::string_view> names;
    for (const auto& v : named_verbs()) names.emplace_back(v.name);
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

// The container path as one absolute spelling: the runtime directory and the
// name lock are derived from it, so "-P x" and "-P $PWD/x/" must agree.
std::string absolute_dir(std::string p) {
    if (p.empty()) return p;
    // Symlinks resolved too: a container path reached through a link is the
    // same path, with the same run root and name locks.
    std::error_code ec;
    std::string abs = std::filesystem::weakly_canonical(p, ec).string();
    if (ec || abs.empty()) abs = std::filesystem::absolute(p, ec).lexically_normal().string();
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
    std::optional<VerbArgs> split;
    if (verb.takes_container || verb.after_dashes != nullptr) {
        const VerbSyntax syntax = verb_syntax(app, *app.get_subcommand(verb.name), verb);
        auto r = split_verb_args(std::span(words).subspan(static_cast<size_t>(chosen.index) + 1),
                                 syntax);
        if (!r) return usage_error(app, verb, r.error().message());
        split = std::move(*r);
        words.resize(static_cast<size_t>(chosen.index) + 1);
        words.insert(words.end(), split->parse.begin(), split->parse.end());
        ctx.command = std::move(split->command);
    }
    std::vector<const char*> c_words;
    for (const auto& w : words) c_words.push_back(w.c_str());
    try {
        app.parse(static_cast<int>(c_words.size()), c_words.data());
    } catch (const CLI::ParseError& e) {
        return parse_failure(app, verb, e, split ? &*split : nullptr);
    }
    return ctx.exit_code;
}
