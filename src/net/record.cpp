#include "net/record.hpp"

#include "base/json.hpp"

namespace kiste::net {

namespace {
nlohmann::json entries(const std::vector<HostEntry>& v) {
    auto a = nlohmann::json::array();
    for (const auto& e : v) a.push_back({{"address", e.address}, {"dev", e.dev}});
    return a;
}
std::vector<HostEntry> entries_from(const nlohmann::json& j, const char* key) {
    std::vector<HostEntry> out;
    if (!j.contains(key) || !j[key].is_array()) return out;
    for (const auto& e : j[key])
        out.push_back({json_field(e, "address", ""), json_field(e, "dev", "")});
    return out;
}
}  // namespace

nlohmann::json to_json(const HostRecord& r) {
    auto phys = nlohmann::json::array();
    for (const auto& p : r.phys)
        phys.push_back({{"name", p.name},
                        {"inside", p.inside},
                        {"ifindex", p.ifindex},
                        {"hwaddr", p.hwaddr},
                        {"mtu", p.mtu},
                        {"up", p.up}});
    return {{"links", r.links},
            {"routes", entries(r.routes)},
            {"proxies", entries(r.proxies)},
            {"phys", phys},
            {"secure_tables", r.secure_tables}};
}

HostRecord record_from_json(const nlohmann::json& j) {
    HostRecord r;
    if (!j.is_object()) return r;
    r.links = json_field(j, "links", std::vector<std::string>{});
    r.routes = entries_from(j, "routes");
    r.proxies = entries_from(j, "proxies");
    if (j.contains("phys") && j["phys"].is_array())
        for (const auto& p : j["phys"])
            r.phys.push_back({json_field(p, "name", ""), json_field(p, "inside", ""),
                              json_field(p, "ifindex", 0), json_field(p, "hwaddr", ""),
                              json_field(p, "mtu", uint32_t{0}), json_field(p, "up", false)});
    r.secure_tables = json_field(j, "secure_tables", std::vector<std::string>{});
    return r;
}

}  // namespace kiste::net
