#include "kiste/error.hpp"

#include <cerrno>
#include <cstring>

namespace kiste {

Error Error::from_errno(std::string what) {
    return Error(errno, std::move(what));
}

std::string Error::message(bool with_errno) const {
    std::string out;
    for (auto it = chain_.rbegin(); it != chain_.rend(); ++it) {
        if (it->empty()) continue;
        if (!out.empty()) out += ": ";
        out += *it;
    }
    if (with_errno && errno_ != 0) {
        if (!out.empty()) out += ": ";
        out += std::strerror(errno_);
    }
    return out;
}

}  // namespace kiste
