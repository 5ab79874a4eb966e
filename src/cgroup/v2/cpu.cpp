#include "cgroup/v2/controllers.hpp"

namespace kiste::cgroup::v2::cpu {

Result<uint64_t> usage_ns(const Dir& d) {
    auto text = KISTE_TRY(read_file(d, "cpu.stat"));
    auto usec = keyed_value(text, "usage_usec");
    if (!usec) return fail("{}: no usage_usec", d.file("cpu.stat"));
    return *usec * 1000;
}

}  // namespace kiste::cgroup::v2::cpu
