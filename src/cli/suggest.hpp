// "Did you mean": the known words nearest to a mistyped one.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiste::cli {

// The edit distance of a and b: insertions, deletions, substitutions and
// swaps of two neighbours ("strat" -> "start" is 1), each costing 1.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidates nearest to `word` (all those at the smallest distance, in
// the candidates' order), if that distance is small for the word's length
// (1 up to 4 letters, else 2); otherwise those that start with `word` (two
// letters at least). LXC's tool names ("lxc-start") are compared without
// their "lxc-". Empty when nothing is near.
std::vector<std::string> nearest_words(std::string_view word,
                                       std::span<const std::string_view> candidates);

}  // namespace kiste::cli
