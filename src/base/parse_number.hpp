// Decimal numbers from text, without exceptions (std::stoi and friends throw
// on bad input and on overflow): the whole text must be the number.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace kiste {

// `text` as a T: decimal digits (a leading '-' for signed T), nothing else,
// in T's range; nullopt otherwise.
template <class T>
requires std::is_integral_v<T> std::optional<T> parse_number(std::string_view text) {
    T value{};
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

// Like parse_number, after blanks (space, tab, newline) at both ends are
// dropped: a value read from a /proc or sysfs file.
template <class T>
requires std::is_integral_v<T> std::optional<T> parse_number_trimmed(std::string_view text) {
    constexpr std::string_view kBlank = " \t\n";
    const size_t first = text.find_first_not_of(kBlank);
    if (first == std::string_view::npos) return std::nullopt;
    const size_t last = text.find_last_not_of(kBlank);
    return parse_number<T>(text.substr(first, last - first + 1));
}

}  // namespace kiste
