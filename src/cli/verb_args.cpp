#include "cli/verb_args.hpp"

#include <optional>

namespace kiste::cli {

Result<VerbArgs> split_verb_args(std::span<const std::string> args, const VerbSyntax& syntax) {
    VerbArgs out;
    const auto takes_value = [&](std::string_view opt) {
        return syntax.takes_value && syntax.takes_value(opt);
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            if (syntax.command_after_dashes)
                out.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
            else  // the parser knows "--" too: what follows are positional words
                out.parse.insert(out.parse.end(), args.begin() + static_cast<std::ptrdiff_t>(i),
                                 args.end());
            break;
        }
        if (a.size() < 2 || a[0] != '-') {  // a word ("-" alone too)
            if (!out.first_word) out.first_word = a;
            out.parse.push_back(a);
            continue;
        }
        if (a.starts_with("--")) {
            const size_t eq = a.find('=');
            const std::string_view opt = std::string_view(a).substr(0, eq);
            if (syntax.name_option && opt == "--name") {
                if (eq != std::string::npos) {
                    out.name_option = a.substr(eq + 1);
                } else {
                    if (i + 1 >= args.size()) return fail("--name needs a container name");
                    out.name_option = args[++i];
                }
                continue;
            }
            out.parse.push_back(a);
            if (eq == std::string::npos && takes_value(opt) && i + 1 < args.size())
                out.parse.push_back(args[++i]);
            continue;
        }
        // Short options, possibly clustered ("-Fd"); the first one that takes
        // a value takes the rest of the word, or else the next word.
        bool done = false;
        for (size_t j = 1; j < a.size() && !done; ++j) {
            const std::string opt{'-', a[j]};
            if (syntax.name_option && a[j] == 'n') {
                if (j > 1) out.parse.push_back(a.substr(0, j));  // the flags before it
                if (j + 1 < a.size()) {
                    out.name_option = a.substr(j + 1);
                } else {
                    if (i + 1 >= args.size()) return fail("-n needs a container name");
                    out.name_option = args[++i];
                }
                done = true;
            } else if (takes_value(opt)) {
                out.parse.push_back(a);
                if (j + 1 == a.size() && i + 1 < args.size()) out.parse.push_back(args[++i]);
                done = true;
            }
        }
        if (!done) out.parse.push_back(a);
    }
    if (out.name_option) out.parse.insert(out.parse.begin(), *out.name_option);
    return out;
}

}  // namespace kiste::cli
