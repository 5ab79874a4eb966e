#include <sstream>

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
