#include <sstream>

#include "cgroup/v2/controllers.hpp"
#include "cgroup/values.hpp"

namespace kiste::cgroup::v2::io {

Io bytes(const Dir& d) {
    Io out;
    auto text = read_file(d, "io.stat");
    if (!text) return out;
    // "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device
    std::istringstream in(*text);
    for (std::string word; in >> word;) {
        auto eq = word.find('=');
        if (eq == std::string::npos) continue;
        const auto n = parse_uint(word.substr(eq + 1)).value_or(0);
        if (word.starts_with("rbytes=")) out.read += n;
        if (word.starts_with("wbytes=")) out.write += n;
    }
    return out;
}

}  // namespace kiste::cgroup::v2::io
