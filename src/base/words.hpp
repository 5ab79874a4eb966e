// Splitting a config value or a cgroup file's line into its words.
#pragma once

#include <string_view>
#include <vector>

namespace kiste {

// The words of `s` between spaces and tabs (none for a blank string).
inline std::vector<std::string_view> split_blanks(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        const size_t begin = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
        if (i > begin) out.push_back(s.substr(begin, i - begin));
    }
    return out;
}

}  // namespace kiste
