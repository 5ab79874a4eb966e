// How `kiste VERB ...` reads its words (cli/verb_args.hpp) and the
// "did you mean" of an unknown verb (cli/suggest.hpp).
#include <gtest/gtest.h>

#include <set>

#include "cli/suggest.hpp"
#include "cli/verb_args.hpp"

namespace kiste::cli {
namespace {

using Words = std::vector<std::string>;

// `kiste start`'s options: -f and -s take a value, -F, -d and --allow-unapplied do not.
VerbSyntax start_syntax() {
    static const std::set<std::string_view> with_value = {"-f",       "--rcfile", "-s",
                                                          "--define", "-P",       "-l"};
    return {.takes_value = [](std::string_view o) { return with_value.contains(o); },
            .name_option = true,
            .command_after_dashes = true};
}

VerbArgs split(const Words& w, const VerbSyntax& s = start_syntax()) {
    auto r = split_verb_args(w, s);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : VerbArgs{};
}

TEST(VerbArgs, OptionsAfterTheNameStayOptions) {
    // `kiste start web --allow-unapplied` once handed the flag to init.
    auto r = split({"web", "--allow-unapplied"});
    EXPECT_EQ(r.parse, (Words{"web", "--allow-unapplied"}));
    EXPECT_TRUE(r.command.empty());
}

TEST(VerbArgs, AfterDashesNothingIsAnOption) {
    auto r = split({"web", "-F", "--", "--allow-unapplied", "-n", "x", "--"});
    EXPECT_EQ(r.parse, (Words{"web", "-F"}));
    EXPECT_EQ(r.command, (Words{"--allow-unapplied", "-n", "x", "--"}));
    // A verb without a command leaves "--" to the parser, with what follows.
    VerbSyntax plain = start_syntax();
    plain.command_after_dashes = false;
    auto p = split({"web", "--", "-x"}, plain);
    EXPECT_EQ(p.parse, (Words{"web", "--", "-x"}));
    EXPECT_TRUE(p.command.empty());
}

TEST(VerbArgs, DashNBecomesTheFirstPositional) {
    EXPECT_EQ(split({"-n", "web"}).parse, (Words{"web"}));
    EXPECT_EQ(split({"-F", "-n", "web", "-d"}).parse, (Words{"web", "-F", "-d"}));
    EXPECT_EQ(split({"--name", "web", "x"}).parse, (Words{"web", "x"}));
    EXPECT_EQ(split({"--name=web"}).parse, (Words{"web"}));
    EXPECT_EQ(split({"-nweb"}).parse, (Words{"web"}));
    // In a cluster of flags: the flags before it stay.
    EXPECT_EQ(split({"-Fn", "web"}).parse, (Words{"web", "-F"}));
    // After "--" it belongs to the command.
    auto r = split({"web", "--", "-n", "x"});
    EXPECT_EQ(r.parse, (Words{"web"}));
    EXPECT_EQ(r.command, (Words{"-n", "x"}));
    // Without a value: an error that names it.
    auto missing = split_verb_args(Words{"-n"}, start_syntax());
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message().find("-n"), std::string::npos);
    // A verb whose -n means something else (top's iterations) keeps it.
    VerbSyntax top{.takes_value = [](std::string_view o) { return o == "-n"; }};
    EXPECT_EQ(split({"-n", "3", "-b"}, top).parse, (Words{"-n", "3", "-b"}));
}

TEST(VerbArgs, OptionValuesAreNotTakenForNamesOrOptions) {
    // The value of -s is not -n, and "-n" as a value is not the name option.
    auto r = split({"-s", "-n", "web"});
    EXPECT_EQ(r.parse, (Words{"-s", "-n", "web"}));
    auto v = split({"web", "-f", "-", "-sKEY=-n", "--define=x", "-l", "DEBUG"});
    EXPECT_EQ(v.parse, (Words{"web", "-f", "-", "-sKEY=-n", "--define=x", "-l", "DEBUG"}));
    // Unknown options pass through (the parser names them).
    EXPECT_EQ(split({"web", "--bogus", "-x"}).parse, (Words{"web", "--bogus", "-x"}));
}

// What main() needs to say "two container names" (`create x -t busybox -n y`).
TEST(VerbArgs, RecordsTheDashNNameAndTheFirstWord) {
    auto two = split({"x", "-f", "conf", "-n", "y", "--", "z"});
    EXPECT_EQ(two.parse, (Words{"y", "x", "-f", "conf"}));
    EXPECT_EQ(two.name_option, "y");
    EXPECT_EQ(two.first_word, "x");
    // An option's value is no word; words after "--" are the command's.
    auto one = split({"-s", "k=v", "-n", "web", "--", "z"});
    EXPECT_EQ(one.name_option, "web");
    EXPECT_FALSE(one.first_word);
    auto plain = split({"web", "-F"});
    EXPECT_FALSE(plain.name_option);
    EXPECT_EQ(plain.first_word, "web");
}

TEST(Suggest, EditDistance) {
    EXPECT_EQ(edit_distance("start", "start"), 0u);
    EXPECT_EQ(edit_distance("strat", "start"), 1u);  // two letters swapped
    EXPECT_EQ(edit_distance("stat", "start"), 1u);
    EXPECT_EQ(edit_distance("", "ls"), 2u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Suggest, NearestVerbs) {
    const std::string_view verbs[] = {"create", "destroy", "ls",      "start",  "stop",
                                      "info",   "ps",      "console", "attach", "execute",
                                      "wait",   "freeze",  "unfreeze"};
    using Names = std::vector<std::string>;
    EXPECT_EQ(nearest_words("strat", verbs), (Names{"start"}));
    EXPECT_EQ(nearest_words("destory", verbs), (Names{"destroy"}));
    EXPECT_EQ(nearest_words("lxc-attach", verbs), (Names{"attach"}));
    EXPECT_EQ(nearest_words("sto", verbs), (Names{"stop"}));
    EXPECT_EQ(nearest_words("exec", verbs), (Names{"execute"}));  // a prefix
    EXPECT_EQ(nearest_words("ss", verbs), (Names{"ls", "ps"}));   // ties: all of them
    EXPECT_TRUE(nearest_words("banana", verbs).empty());
    EXPECT_TRUE(nearest_words("", verbs).empty());
}

}  // namespace
}  // namespace kiste::cli
