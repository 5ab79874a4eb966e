#include "cgroup/resources.hpp"
#include "cgroup/v1/controllers.hpp"

namespace kiste::cgroup::v1::devices {

Status apply(FileWriter& w, const std::vector<DeviceRule>& rules, const std::string& source) {
    for (const auto& d : rules) {
        const char* file = d.allow ? "devices.allow" : "devices.deny";
        KISTE_TRY(w.write(file, device_rule_string(d), source));
    }
    return {};
}

}  // namespace kiste::cgroup::v1::devices
