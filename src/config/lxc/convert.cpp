// convert_legacy: rewrites legacy keys to today's names line by line,
// keeping comments, blank lines, indentation and every other line as it is.
// lxc.network.* lines get the interface index the loader would give them
// (each lxc.network.type starts the next free lxc.net.N), so the converted
// file means exactly what the original meant.
#include <set>

#include "config/lxc/keys.hpp"
#include "config/lxc/legacy.hpp"

namespace kiste::lxc {

using namespace detail;

Result<std::string> convert_legacy(std::string_view text, const std::string& origin) {
    std::string out;
    std::set<unsigned> ifaces;  // lxc.net indexes in use at this line
    long current = -1;          // the interface lxc.network.* lines apply to
    size_t lineno = 0;
    auto lines = split_on(text, '\n');
    for (size_t li = 0; li < lines.size(); ++li) {
        std::string_view raw = lines[li];
        ++lineno;
        if (li) out += '\n';
        std::string_view line = trim(raw);
        size_t eq = line.find('=');
        if (line.empty() || line.front() == '#' || eq == std::string_view::npos) {
            out += raw;  // comments, blank lines (and malformed lines: load reports them)
            continue;
        }
        const std::string where = fmt::format("{}:{}", origin, lineno);
        std::string_view indent = raw.substr(0, raw.find_first_not_of(" \t"));
        std::string_view key = trim(line.substr(0, eq));
        std::string_view value = trim(line.substr(eq + 1));
        auto emit = [&](std::string_view new_key) {
            out += indent;
            out += new_key;
            out += value.empty() ? " =" : " = ";
            out += value;
        };

        if (is_legacy_network(key)) {
            auto ln = parse_legacy_network(key);
            if (!ln) return fail("{}: {}", where, unknown_key_message(key));
            if (ln->sub.empty() || (ln->sub == "type" && !ln->index && value.empty())) {
                emit("lxc.net");
                ifaces.clear();
                current = -1;
                continue;
            }
            unsigned idx = 0;
            if (ln->index) {
                idx = *ln->index;
            } else if (ln->sub == "type") {
                idx = ifaces.empty() ? 0 : *ifaces.rbegin() + 1;
                current = idx;
            } else if (current >= 0) {
                idx = static_cast<unsigned>(current);
            } else {
                return fail(
                    "{}: {}: no network interface yet (an lxc.network.type line must "
                    "come first)",
                    where, key);
            }
            ifaces.insert(idx);
            emit(fmt::format("lxc.net.{}.{}", idx, ln->sub));
            continue;
        }
        if (is_obsolete_key(key)) {
            out += indent;
            out += fmt::format("# obsolete (LXC 2.1 removed it): {}", line);
            continue;
        }
        if (auto m = modern_key(key)) {
            emit(*m);
            continue;
        }
        // Today's keys stay as they are; track lxc.net.N for later legacy lines.
        std::string_view rest;
        if (key != "lxc.include" && !find_key(key, &rest))
            return fail("{}: {}", where, unknown_key_message(key));
        if (key == "lxc.net") {
            ifaces.clear();
            current = -1;
        } else if (key.starts_with("lxc.net.") || key.starts_with("kiste.net.")) {
            auto n = parse_u32(split_on(rest, '.').front());
            if (n) ifaces.insert(*n);
        }
        out += raw;
    }
    return out;
}

}  // namespace kiste::lxc
