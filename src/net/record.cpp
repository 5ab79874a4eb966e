#include "net/record.hpp"

#include <type_traits>

#include "base/json.hpp"

namespace kiste::net {

namespace {
template <class Entry>
nlohmann::json entries(const std::vector<Entry>& v) {
    auto a = nlohmann::json::array();
    for (const auto& e : v) {
        if constexpr (std::is_same_v<Entry, HostRoute>)
            a.push_back({{"address", e.dst.to_string()}, {"dev", e.dev}});
        else
            a.push_back({{"address", e.address.to_string()}, {"dev", e.dev}});
    }
    return a;
}
template <class Entry>
std::vector<Entry> entries_from(const nlohmann::json& j, const char* key) {
    std::vector<Entry> out;
    if (!j.contains(key) || !j[key].is_array()) return out;
    for (const auto& e : j[key]) {
        if (!e.is_object()) continue;
        const std::string text = json_field(e, "address", "");
        std::string dev = json_field(e, "dev", "");
        if constexpr (std::is_same_v<Entry, HostRoute>) {
            if (auto dst = IpPrefix::parse(text)) out.push_back({*dst, std::move(dev)});
        } else {
            if (auto a = IpAddress::parse(text)) out.push_back({*a, std::move(dev)});
        }
    }
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
    r.routes = entries_from<HostRoute>(j, "routes");
    r.proxies = entries_from<HostProxy>(j, "proxies");
    if (j.contains("phys") && j["phys"].is_array())
        for (const auto& p : j["phys"])
            r.phys.push_back({json_field(p, "name", ""), json_field(p, "inside", ""),
                              json_field(p, "ifindex", 0), json_field(p, "hwaddr", ""),
                              json_field(p, "mtu", uint32_t{0}), json_field(p, "up", false)});
    r.secure_tables = json_field(j, "secure_tables", std::vector<std::string>{});
    return r;
}

}  // namespace kiste::net
