#include "base/octal_escape.hpp"

namespace kiste {

namespace {
bool octal(char c, char max) {
    return c >= '0' && c <= max;
}
}  // namespace

std::string unescape_octal(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        // Three digits, the first 0..3: a larger value is no byte.
        if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1], '3') && octal(s[i + 2], '7') &&
            octal(s[i + 3], '7')) {
            out +=
                static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace kiste
