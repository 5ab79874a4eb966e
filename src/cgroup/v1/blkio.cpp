#include <sstream>

#include <tuple>

#include <fmt/format.h>

#include "cgroup/resources.hpp"
#include "cgroup/translate.hpp"
#include "cgroup/v1/controllers.hpp"

namespace kiste::cgroup::v1::blkio {

std::string file_for(const Dir& d, const std::string& key) {
    if ((key == "blkio.weight" || key == "blkio.weight_device") && !file_exists(d, key)) {
        std::string bfq = "blkio.bfq." + key.substr(6);
        if (file_exists(d, bfq)) return bfq;
    }
    return key;
}

}  // namespace kiste::cgroup::v1::blkio

namespace kiste::cgroup::v1::blkio {

Io io_bytes(const Dir& d) {
    Io out;
    auto text = read_file(d, "blkio.throttle.io_service_bytes_recursive");
    if (!text) return out;
    // "8:0 Read 4096" per device and operation, then "Total N"
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
        std::istringstream f(line);
        std::string dev, op;
        uint64_t n = 0;
        if (!(f >> dev >> op >> n)) continue;
        if (op == "Read") out.read += n;
        if (op == "Write") out.write += n;
    }
    return out;
}

}  // namespace kiste::cgroup::v1::blkio

namespace kiste::cgroup::v1::blkio {

Status apply(FileWriter& w, const Resources& r) {
    auto file = [&](const std::string& key) {
        return w.dir() != nullptr ? file_for(*w.dir(), key) : key;
    };
    if (r.blkio_weight || r.io_weight) {
        const char* field = r.blkio_weight ? "blkio_weight" : "io_weight";
        const auto n = r.blkio_weight ? *r.blkio_weight : io_to_blkio_weight(*r.io_weight);
        const std::string f = file("blkio.weight"), v = std::to_string(n);
        KISTE_TRY(w.write(f, v, source_of(r, field, "blkio.weight", v)));
    }
    const bool v1_devices = !r.blkio_weight_device.empty();
    const char* field = v1_devices ? "blkio_weight_device" : "io_weight_device";
    for (const auto& d : v1_devices ? r.blkio_weight_device : r.io_weight_device) {
        const auto n = v1_devices ? d.weight : io_to_blkio_weight(d.weight);
        const std::string f = file("blkio.weight_device");
        const std::string v = fmt::format("{}:{} {}", d.major, d.minor, n);
        KISTE_TRY(w.write(f, v, source_of(r, field, "blkio.weight_device", v)));
    }
    const std::tuple<const char*, const char*, const std::vector<Resources::Throttle>*> lists[] = {
        {"throttle_read_bps", "blkio.throttle.read_bps_device", &r.throttle_read_bps},
        {"throttle_write_bps", "blkio.throttle.write_bps_device", &r.throttle_write_bps},
        {"throttle_read_iops", "blkio.throttle.read_iops_device", &r.throttle_read_iops},
        {"throttle_write_iops", "blkio.throttle.write_iops_device", &r.throttle_write_iops}};
    for (const auto& [f, key, list] : lists)
        for (const auto& t : *list) {
            // 0 lifts the limit on v1.
            const std::string v = fmt::format("{}:{} {}", t.major, t.minor, t.rate);
            KISTE_TRY(w.write(key, v, source_of(r, f, key, v)));
        }
    return {};
}

}  // namespace kiste::cgroup::v1::blkio
