#include <sstream>

#include <tuple>

#include <fmt/format.h>

#include "cgroup/resources.hpp"
#include "cgroup/translate.hpp"
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

namespace kiste::cgroup::v2::io {

Status apply(FileWriter& w, const Resources& r) {
    if (r.io_weight || r.blkio_weight) {
        const char* field = r.io_weight ? "io_weight" : "blkio_weight";
        const auto n = r.io_weight ? *r.io_weight : blkio_to_io_weight(*r.blkio_weight);
        const std::string v = fmt::format("default {}", n);
        KISTE_TRY(w.write("io.weight", v, source_of(r, field, "io.weight", v)));
    }
    const bool v2_devices = !r.io_weight_device.empty();
    const char* field = v2_devices ? "io_weight_device" : "blkio_weight_device";
    for (const auto& d : v2_devices ? r.io_weight_device : r.blkio_weight_device) {
        const auto n = v2_devices ? d.weight : blkio_to_io_weight(d.weight);
        const std::string v = fmt::format("{}:{} {}", d.major, d.minor, n);
        KISTE_TRY(w.write("io.weight", v, source_of(r, field, "io.weight", v)));
    }
    const std::tuple<const char*, const char*, const std::vector<Resources::Throttle>*> lists[] = {
        {"throttle_read_bps", "rbps", &r.throttle_read_bps},
        {"throttle_write_bps", "wbps", &r.throttle_write_bps},
        {"throttle_read_iops", "riops", &r.throttle_read_iops},
        {"throttle_write_iops", "wiops", &r.throttle_write_iops}};
    for (const auto& [f, kind, list] : lists)
        for (const auto& t : *list) {
            const std::string rate = t.rate == 0 ? "max" : std::to_string(t.rate);
            const std::string v = fmt::format("{}:{} {}={}", t.major, t.minor, kind, rate);
            KISTE_TRY(w.write("io.max", v, source_of(r, f, "io.max", v)));
        }
    return {};
}

}  // namespace kiste::cgroup::v2::io
