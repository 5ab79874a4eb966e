// What one config load may read. A config is a few KB; these bounds only
// stop a hostile or broken include tree (a FIFO, /dev/zero, files that
// include the next one twice, ...) from hanging kiste or eating the host's
// memory. Errors that hit a bound name it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace kiste::lxc {

inline constexpr size_t kMaxConfigFileBytes = size_t{1} << 20;    // one file: 1 MiB
inline constexpr size_t kMaxConfigTotalBytes = size_t{16} << 20;  // one load, all files: 16 MiB
inline constexpr size_t kMaxConfigFiles = 1000;                   // files read by one load
inline constexpr size_t kMaxIncludeDepth = 32;                    // includes within includes
// "did you mean": keys longer than this get no suggestion (no real key is
// near so long a name, and the edit distance is quadratic in the length).
inline constexpr size_t kMaxSuggestedKeyLength = 128;

// At most 80 bytes of `s` for an error message (cut before a UTF-8
// continuation byte), with the full length when cut.
inline std::string abbreviated(std::string_view s) {
    constexpr size_t kMax = 80;
    if (s.size() <= kMax) return std::string(s);
    size_t n = kMax;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return fmt::format("{}... ({} bytes)", s.substr(0, n), s.size());
}

}  // namespace kiste::lxc
