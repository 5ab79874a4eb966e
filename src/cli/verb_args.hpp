// How `kiste VERB ...` reads its arguments, the way LXC's tools do with
// getopt: options may stand before or after the container name, the words
// after "--" are never options, and `-n NAME` names the container on every
// verb that takes one. Pure, for tests; tools/kiste/main.cpp applies it
// before CLI11 parses.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kiste/error.hpp"

namespace kiste::cli {

struct VerbSyntax {
    // Whether an option, as typed ("-s", "--define"), takes a value. An
    // unknown option is taken as a flag; the parser rejects it later.
    std::function<bool(std::string_view)> takes_value;
    // `-n NAME` / `--name NAME` name the container: NAME becomes the first
    // positional argument, wherever the option stood.
    bool name_option = false;
    // The words after "--" are a command's (init's, the attached command's,
    // the template's): handed out apart, never parsed as options or names.
    bool command_after_dashes = false;
};

struct VerbArgs {
    std::vector<std::string> parse;          // what the option parser gets, in order
    std::vector<std::string> command;        // the words after "--" (command_after_dashes)
    std::optional<std::string> name_option;  // the NAME of -n/--name (parse's first word)
    // The first word before "--" that is neither an option nor an option's
    // value: with name_option, a second name when the parser has no place for it.
    std::optional<std::string> first_word;
};

// `args` are the words after the verb.
Result<VerbArgs> split_verb_args(std::span<const std::string> args, const VerbSyntax& syntax);

}  // namespace kiste::cli
