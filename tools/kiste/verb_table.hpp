// The verbs of `kiste` by the words that name them, and how each one's words
// are split before CLI11 parses them (cli/verb_args.hpp). Apart from main.cpp
// so that the unit tests read the verbs' real CLI11 definitions.
#pragma once

#include <span>

#include "cli/verb_args.hpp"
#include "commands.hpp"

namespace kiste::cli {

struct NamedVerb {
    const char* name;
    Registrar reg;
    // `-n NAME` names the container, as for LXC's tools (split_verb_args).
    bool takes_container;
    // What the words after "--" are for; nullptr when the verb takes none.
    const char* after_dashes;
};

// main() builds only the verb named on the command line, since constructing
// all of CLI11's subcommands and options is a good part of a short verb's
// run (and of a monitor's forked heap).
std::span<const NamedVerb> named_verbs();

// How split_verb_args reads `verb`'s words, from its subcommand `sub` of
// `app` (and app's own options where sub falls through to them).
VerbSyntax verb_syntax(const CLI::App& app, const CLI::App& sub, const NamedVerb& verb);

}  // namespace kiste::cli
