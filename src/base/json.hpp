// Reading and writing JSON records without exceptions. nlohmann::json throws
// on a value of the wrong type (value(), get<>(), at()) and on text that is
// not UTF-8 (dump()); kiste reads its records back after a crash or from an
// older version, so a field of the wrong type must read as missing, never
// end the program. Parse with nlohmann::json::parse(text, nullptr, false)
// and check is_discarded().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiste {

// j[key] as a T when `j` is an object whose `key` holds a value of T's JSON
// type (and, for integers, in T's range); `fallback` otherwise. T: bool,
// an integer type, std::string or std::vector<std::string>.
template <class T>
T json_field(const nlohmann::json& j, std::string_view key, T fallback) {
    if (!j.is_object()) return fallback;
    const auto it = j.find(key);
    if (it == j.end()) return fallback;
    const nlohmann::json& v = *it;
    if constexpr (std::is_same_v<T, bool>) {
        return v.is_boolean() ? v.get<bool>() : fallback;
    } else if constexpr (std::is_integral_v<T>) {
        if (v.is_number_unsigned()) {
            const auto n = v.get<uint64_t>();
            return std::in_range<T>(n) ? static_cast<T>(n) : fallback;
        }
        if (v.is_number_integer()) {
            const auto n = v.get<int64_t>();
            return std::in_range<T>(n) ? static_cast<T>(n) : fallback;
        }
        return fallback;
    } else if constexpr (std::is_same_v<T, std::string>) {
        return v.is_string() ? v.get<std::string>() : fallback;
    } else {
        static_assert(std::is_same_v<T, std::vector<std::string>>, "unsupported field type");
        if (!v.is_array()) return fallback;
        std::vector<std::string> out;
        for (const auto& e : v) {
            if (!e.is_string()) return fallback;
            out.push_back(e.get<std::string>());
        }
        return out;
    }
}

inline std::string json_field(const nlohmann::json& j, std::string_view key, const char* fallback) {
    return json_field(j, key, std::string(fallback));
}

// The text of `j`, indented by 2; bytes that are not UTF-8 become U+FFFD
// instead of an exception.
inline std::string json_text(const nlohmann::json& j) {
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace kiste
