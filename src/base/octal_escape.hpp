// The octal escapes of fstab(5) and /proc/PID/mountinfo: a blank is \040, a
// tab \011, a newline \012, a backslash \134. One decoder for both.
#pragma once

#include <string>
#include <string_view>

namespace kiste {

// Decodes each \ooo (three octal digits, at most \377) into its byte. A
// backslash that does not start such an escape stays as it is (fstab and
// mountinfo never write one; a path holding "\9" keeps it).
std::string unescape_octal(std::string_view s);

}  // namespace kiste
