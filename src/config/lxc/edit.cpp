#include "config/lxc/edit.hpp"

#include <fmt/format.h>

#include "config/lxc/values.hpp"

namespace kiste::lxc {

std::string set_config_line(std::string_view text, std::string_view key, std::string_view value,
                            std::string_view value_prefix) {
    const std::string line = fmt::format("{} = {}", key, value);
    std::string out;
    bool placed = false;
    auto lines = detail::split_on(text, '\n');
    // A trailing newline gives an empty last piece: not a line of its own.
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    for (std::string_view raw : lines) {
        std::string_view t = detail::trim(raw);
        size_t eq = t.find('=');
        const bool match = !t.empty() && t.front() != '#' && eq != std::string_view::npos &&
                           detail::trim(t.substr(0, eq)) == key &&
                           detail::trim(t.substr(eq + 1)).starts_with(value_prefix);
        if (!match) {
            out.append(raw).push_back('\n');
            continue;
        }
        if (placed) continue;
        out.append(line).push_back('\n');
        placed = true;
    }
    if (!placed) out.append(line).push_back('\n');
    return out;
}

}  // namespace kiste::lxc
