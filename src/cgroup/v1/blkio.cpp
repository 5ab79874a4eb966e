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
