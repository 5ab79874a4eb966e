#include "cli/suggest.hpp"

#include <algorithm>
#include <limits>

namespace kiste::cli {

size_t edit_distance(std::string_view a, std::string_view b) {
    // The optimal string alignment distance, three rows of the table.
    std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], before[j - 2] + 1);
        }
        std::swap(before, prev);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::vector<std::string> nearest_words(std::string_view word,
                                       std::span<const std::string_view> candidates) {
    if (word.starts_with("lxc-")) word.remove_prefix(4);
    std::vector<std::string> out;
    if (word.empty()) return out;
    const size_t limit = word.size() <= 4 ? 1 : 2;
    size_t best = std::numeric_limits<size_t>::max();
    for (auto c : candidates) {
        const size_t d = edit_distance(word, c);
        if (d > limit || d > best) continue;
        if (d < best) out.clear();
        best = d;
        out.emplace_back(c);
    }
    if (!out.empty() || word.size() < 2) return out;
    for (auto c : candidates)
        if (c.starts_with(word)) out.emplace_back(c);
    return out;
}

}  // namespace kiste::cli
