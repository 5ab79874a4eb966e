// How each real verb of `kiste` reads `-n NAME` next to its own options: the
// verbs' CLI11 definitions (tools/kiste/cmd_*.cpp), split as main() splits
// them (verb_table.hpp) and parsed by CLI11 without running the verb.
#include <gtest/gtest.h>

#include <string>
#include <vector>

// By its path: the tool's directory is not on the unit tests' include path
// (adding it would change every unit test's compile flags).
#include "../../tools/kiste/verb_table.hpp"

namespace kiste::cli {
namespace {

using Words = std::vector<std::string>;

// The options `verb` reads: its own and, where it falls through, kiste's.
std::vector<const CLI::Option*> options_of(const CLI::App& app, const CLI::App& sub) {
    auto named = [](const CLI::Option* o) { return !o->get_positional(); };
    auto out = sub.get_options(named);
    if (sub.get_fallthrough())
        for (const CLI::Option* o : app.get_options(named)) out.push_back(o);
    return out;
}

// Every spelling of an option that is not the help or -n/--name itself.
Words spellings(const CLI::Option& o) {
    Words out;
    for (const auto& s : o.get_snames())
        if (s != "h" && s != "n") out.push_back("-" + s);
    for (const auto& l : o.get_lnames())
        if (l != "help" && l != "name" && l != "version" && l != "parse-only")
            out.push_back("--" + l);
    return out;
}

// kiste with one verb, and global options of both kinds as main() adds them.
struct OneVerb {
    CLI::App app{"kiste", "kiste"};
    Context ctx;
    std::string lxcpath;
    bool quiet = false;
    CLI::App* sub = nullptr;

    explicit OneVerb(const NamedVerb& verb) {
        app.add_option("-P,--lxcpath", lxcpath);
        app.add_flag("-q,--quiet", quiet);
        verb.reg(app, ctx);
        sub = app.get_subcommand(verb.name);
    }
};

// `kiste VERB WORDS...` split and parsed; the words of its "name" positional.
Words parsed_name(const NamedVerb& verb, const Words& words) {
    OneVerb kiste(verb);
    CLI::App& app = kiste.app;
    CLI::App* sub = kiste.sub;
    // Parse only, never run the verb: a required option that is never given
    // stops CLI11 after it placed the words, before any verb's callback.
    app.add_flag("--parse-only")->required();
    auto split = split_verb_args(words, verb_syntax(app, *sub, verb));
    EXPECT_TRUE(split) << split.error().message();
    if (!split) return {};
    Words argv{"kiste", verb.name};
    argv.insert(argv.end(), split->parse.begin(), split->parse.end());
    std::vector<const char*> c_argv;
    for (const auto& w : argv) c_argv.push_back(w.c_str());
    try {
        app.parse(static_cast<int>(c_argv.size()), c_argv.data());
    } catch (const CLI::ParseError&) {
        // --parse-only, or a verb's other required positionals (set's
        // NAME=VALUE...): the name is placed before CLI11 checks them.
    }
    const CLI::Option* name = sub->get_option_no_throw("name");
    return name != nullptr ? name->results() : Words{};
}

// `kiste stop -k -n X` once lost X: a flag just before -n was taken for an
// option with a value (-n its value, X the next word).
TEST(CliVerbs, EveryFlagBeforeDashNKeepsTheName) {
    size_t checked = 0;
    for (const NamedVerb& verb : named_verbs()) {
        if (!verb.takes_container) continue;
        OneVerb kiste(verb);
        const CLI::App& app = kiste.app;
        const CLI::App* sub = kiste.sub;
        ASSERT_NE(sub, nullptr) << verb.name;
        ASSERT_NE(sub->get_option_no_throw("name"), nullptr) << verb.name << " has no NAME";
        for (const CLI::Option* o : options_of(app, *sub)) {
            if (o->get_items_expected_max() != 0) continue;  // options with a value: below
            for (const auto& flag : spellings(*o)) {
                EXPECT_EQ(parsed_name(verb, {flag, "-n", "web"}), Words{"web"})
                    << "kiste " << verb.name << " " << flag << " -n web";
                EXPECT_EQ(parsed_name(verb, {flag, "--name", "web"}), Words{"web"})
                    << "kiste " << verb.name << " " << flag << " --name web";
                EXPECT_EQ(parsed_name(verb, {flag, "--name=web"}), Words{"web"})
                    << "kiste " << verb.name << " " << flag << " --name=web";
                EXPECT_EQ(parsed_name(verb, {"-n", "web", flag}), Words{"web"})
                    << "kiste " << verb.name << " -n web " << flag;
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 10u);  // stop -k, start -F, destroy -f, console --log, attach -e...
}

// An option with a value keeps it, also when the value looks like -n.
TEST(CliVerbs, EveryOptionWithAValueBeforeDashNKeepsTheName) {
    for (const NamedVerb& verb : named_verbs()) {
        if (!verb.takes_container) continue;
        OneVerb kiste(verb);
        const CLI::App& app = kiste.app;
        const CLI::App* sub = kiste.sub;
        const VerbSyntax syntax = verb_syntax(app, *sub, verb);
        for (const CLI::Option* o : options_of(app, *sub)) {
            if (o->get_items_expected_min() == 0) continue;
            for (const auto& opt : spellings(*o)) {
                auto split = split_verb_args(Words{opt, "-n", "-n", "web"}, syntax);
                ASSERT_TRUE(split) << split.error().message();
                EXPECT_EQ(split->parse, (Words{"web", opt, "-n"}))
                    << "kiste " << verb.name << " " << opt << " -n -n web";
            }
        }
    }
}

}  // namespace
}  // namespace kiste::cli
