// Network keys: lxc.net (clears all), lxc.net.N (one interface),
// lxc.net.N.SUB (a sub-key table below) and kiste.net.N.secure. The legacy
// lxc.network.* keys are rewritten onto lxc.net.N.* by the registry.
#include <cctype>
#include <optional>

#include "config/lxc/keys.hpp"

namespace kiste::lxc::detail {

namespace {

using Iface = NetInterface;

struct NetSub {
    std::string_view name;
    std::string_view only_type;  // sub-key valid only for this interface type ("" = any)
    Status (*set)(Iface&, std::string_view value);  // never called with an empty value
    std::string (*get)(const Iface&);
    void (*clear)(Iface&);
};

template <class T>
Status from(Result<T> r) {
    if (!r) return std::unexpected(r.error());
    return {};
}

constexpr std::string_view kTypes[] = {"none",    "empty",  "veth", "vlan",
                                       "macvlan", "ipvlan", "phys"};
constexpr std::string_view kVethModes[] = {"bridge", "router"};
constexpr std::string_view kMacvlanModes[] = {"private", "vepa", "bridge", "passthru"};
constexpr std::string_view kIpvlanModes[] = {"l3", "l3s", "l2"};
constexpr std::string_view kIpvlanIsolations[] = {"bridge", "private", "vepa"};

Result<uint16_t> parse_vlan(std::string_view v, unsigned min) {
    auto n = parse_u64(v);
    if (!n || *n < min || *n > 4094) return fail("expected a VLAN id {}..4094", min);
    return static_cast<uint16_t>(*n);
}

std::string join_routes(const std::vector<IpPrefix>& routes) {
    std::vector<std::string> l;
    for (const auto& r : routes) l.push_back(r.to_string());
    return join_lines(l);
}

std::string join(const std::vector<std::string>& v) {
    return join_lines(v);
}

// clang-format off
const NetSub kSubs[] = {
    {"type", "",
     [](Iface& i, std::string_view v) -> Status { i.type = KISTE_TRY(one_of(v, kTypes)); return {}; },
     [](const Iface& i) { return i.type; }, [](Iface& i) { i.type.clear(); }},
    {"flags", "",
     [](Iface& i, std::string_view v) -> Status {
         if (v != "up") return fail("expected 'up'");
         i.up = true;
         return {};
     },
     [](const Iface& i) { return std::string(i.up ? "up" : ""); }, [](Iface& i) { i.up = false; }},
    {"link", "",
     [](Iface& i, std::string_view v) -> Status {
         KISTE_TRY(check_ifname(v, true));
         i.link = std::string(v);
         return {};
     },
     [](const Iface& i) { return i.link; }, [](Iface& i) { i.link.clear(); }},
    {"l2proxy", "",
     [](Iface& i, std::string_view v) -> Status { i.l2proxy = KISTE_TRY(parse_bool01(v)); return {}; },
     [](const Iface& i) { return std::string(i.l2proxy ? "1" : "0"); }, [](Iface& i) { i.l2proxy = false; }},
    {"mtu", "",
     [](Iface& i, std::string_view v) -> Status {
         auto n = parse_u32(v);
         if (!n || *n == 0) return fail("expected a positive integer");
         i.mtu = *n;
         return {};
     },
     [](const Iface& i) { return i.mtu ? std::to_string(*i.mtu) : std::string(); },
     [](Iface& i) { i.mtu.reset(); }},
    {"name", "",
     [](Iface& i, std::string_view v) -> Status {
         KISTE_TRY(check_ifname(v));
         i.name = std::string(v);
         return {};
     },
     [](const Iface& i) { return i.name; }, [](Iface& i) { i.name.clear(); }},
    {"hwaddr", "",
     [](Iface& i, std::string_view v) -> Status {
         KISTE_TRY(check_hwaddr(v));
         i.hwaddr = std::string(v);
         return {};
     },
     [](const Iface& i) { return i.hwaddr; }, [](Iface& i) { i.hwaddr.clear(); }},
    {"ipv4.address", "",
     [](Iface& i, std::string_view v) -> Status { i.ipv4.push_back(KISTE_TRY(parse_ipv4_address(v))); return {}; },
     [](const Iface& i) {
         std::vector<std::string> l;
         for (const auto& a : i.ipv4) l.push_back(format_address(a));
         return join(l);
     },
     [](Iface& i) { i.ipv4.clear(); }},
    {"ipv4.gateway", "",
     [](Iface& i, std::string_view v) -> Status { i.ipv4_gateway = KISTE_TRY(parse_gateway(v, false)); return {}; },
     [](const Iface& i) { return format_gateway(i.ipv4_gateway); }, [](Iface& i) { i.ipv4_gateway = {}; }},
    {"ipv6.address", "",
     [](Iface& i, std::string_view v) -> Status { i.ipv6.push_back(KISTE_TRY(parse_ipv6_address(v))); return {}; },
     [](const Iface& i) {
         std::vector<std::string> l;
         for (const auto& a : i.ipv6) l.push_back(format_address(a));
         return join(l);
     },
     [](Iface& i) { i.ipv6.clear(); }},
    {"ipv6.gateway", "",
     [](Iface& i, std::string_view v) -> Status { i.ipv6_gateway = KISTE_TRY(parse_gateway(v, true)); return {}; },
     [](const Iface& i) { return format_gateway(i.ipv6_gateway); }, [](Iface& i) { i.ipv6_gateway = {}; }},
    {"script.up", "",
     [](Iface& i, std::string_view v) -> Status { i.script_up = std::string(v); return {}; },
     [](const Iface& i) { return i.script_up; }, [](Iface& i) { i.script_up.clear(); }},
    {"script.down", "",
     [](Iface& i, std::string_view v) -> Status { i.script_down = std::string(v); return {}; },
     [](const Iface& i) { return i.script_down; }, [](Iface& i) { i.script_down.clear(); }},
    {"veth.pair", "veth",
     [](Iface& i, std::string_view v) -> Status {
         KISTE_TRY(check_ifname(v));
         i.veth_pair = std::string(v);
         return {};
     },
     [](const Iface& i) { return i.veth_pair; }, [](Iface& i) { i.veth_pair.clear(); }},
    {"veth.mode", "veth",
     [](Iface& i, std::string_view v) -> Status { i.veth_mode = KISTE_TRY(one_of(v, kVethModes)); return {}; },
     [](const Iface& i) { return i.veth_mode; }, [](Iface& i) { i.veth_mode.clear(); }},
    {"veth.ipv4.route", "veth",
     [](Iface& i, std::string_view v) -> Status {
         i.veth_ipv4_routes.push_back(KISTE_TRY(parse_route(v, false)));
         return {};
     },
     [](const Iface& i) { return join_routes(i.veth_ipv4_routes); }, [](Iface& i) { i.veth_ipv4_routes.clear(); }},
    {"veth.ipv6.route", "veth",
     [](Iface& i, std::string_view v) -> Status {
         i.veth_ipv6_routes.push_back(KISTE_TRY(parse_route(v, true)));
         return {};
     },
     [](const Iface& i) { return join_routes(i.veth_ipv6_routes); }, [](Iface& i) { i.veth_ipv6_routes.clear(); }},
    // "none" (remove the port from the bridge's default untagged VLAN) is
    // stored as 0, which is not a valid VLAN id.
    {"veth.vlan.id", "veth",
     [](Iface& i, std::string_view v) -> Status {
         i.veth_vlan_id = v == "none" ? uint16_t{0} : KISTE_TRY(parse_vlan(v, 1));
         return {};
     },
     [](const Iface& i) {
         if (!i.veth_vlan_id) return std::string();
         return *i.veth_vlan_id == 0 ? std::string("none") : std::to_string(*i.veth_vlan_id);
     },
     [](Iface& i) { i.veth_vlan_id.reset(); }},
    {"veth.vlan.tagged.id", "veth",
     [](Iface& i, std::string_view v) -> Status { i.veth_vlan_tagged_ids.push_back(KISTE_TRY(parse_vlan(v, 1))); return {}; },
     [](const Iface& i) {
         std::vector<std::string> l;
         for (auto id : i.veth_vlan_tagged_ids) l.push_back(std::to_string(id));
         return join(l);
     },
     [](Iface& i) { i.veth_vlan_tagged_ids.clear(); }},
    {"macvlan.mode", "macvlan",
     [](Iface& i, std::string_view v) -> Status { i.macvlan_mode = KISTE_TRY(one_of(v, kMacvlanModes)); return {}; },
     [](const Iface& i) { return i.macvlan_mode; }, [](Iface& i) { i.macvlan_mode.clear(); }},
    {"ipvlan.mode", "ipvlan",
     [](Iface& i, std::string_view v) -> Status { i.ipvlan_mode = KISTE_TRY(one_of(v, kIpvlanModes)); return {}; },
     [](const Iface& i) { return i.ipvlan_mode; }, [](Iface& i) { i.ipvlan_mode.clear(); }},
    {"ipvlan.isolation", "ipvlan",
     [](Iface& i, std::string_view v) -> Status { i.ipvlan_isolation = KISTE_TRY(one_of(v, kIpvlanIsolations)); return {}; },
     [](const Iface& i) { return i.ipvlan_isolation; }, [](Iface& i) { i.ipvlan_isolation.clear(); }},
    {"vlan.id", "vlan",
     [](Iface& i, std::string_view v) -> Status { i.vlan_id = KISTE_TRY(parse_vlan(v, 0)); return {}; },
     [](const Iface& i) { return i.vlan_id ? std::to_string(*i.vlan_id) : std::string(); },
     [](Iface& i) { i.vlan_id.reset(); }},
};
// clang-format on

const NetSub* find_sub(std::string_view name) {
    for (const auto& s : kSubs)
        if (s.name == name) return &s;
    return nullptr;
}

// "3" -> {3, ""}; "3.ipv4.address" -> {3, "ipv4.address"}
struct NetRef {
    unsigned index = 0;
    std::string_view sub;
};
std::optional<NetRef> parse_ref(std::string_view rest) {
    size_t n = 0;
    while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) ++n;
    if (n == 0) return std::nullopt;
    auto idx = parse_u32(rest.substr(0, n));
    if (!idx) return std::nullopt;
    if (n == rest.size()) return NetRef{*idx, {}};
    if (rest[n] != '.') return std::nullopt;
    return NetRef{*idx, rest.substr(n + 1)};
}

bool valid_net_rest(std::string_view rest) {
    auto ref = parse_ref(rest);
    return ref && (ref->sub.empty() || find_sub(ref->sub));
}

std::string iface_lines(unsigned idx, const Iface& i) {
    std::vector<std::string> lines;
    for (const auto& s : kSubs) {
        std::string v = s.get(i);
        if (v.empty() || (s.name == "l2proxy" && !i.l2proxy)) continue;
        for (auto line : split_on(v, '\n'))
            lines.push_back(fmt::format("lxc.net.{}.{} = {}", idx, s.name, line));
    }
    if (i.secure) lines.push_back(fmt::format("kiste.net.{}.secure = 1", idx));
    return join_lines(lines);
}

Iface& iface_for_set(LxcConfig& c, unsigned idx, std::string_view origin) {
    auto [it, created] = c.net.try_emplace(idx);
    if (created) it->second.origin = std::string(origin);
    return it->second;
}

Status set_net(LxcConfig& c, const KeyCall& k, std::string_view v) {
    auto ref = *parse_ref(k.rest);
    if (ref.sub.empty()) {  // lxc.net.N: only an empty value, which removes the interface
        if (!v.empty()) return invalid(v, "lxc.net.N takes no value (an empty one removes it)");
        c.net.erase(ref.index);
        return {};
    }
    const NetSub* sub = find_sub(ref.sub);
    if (v.empty()) {
        if (auto it = c.net.find(ref.index); it != c.net.end()) sub->clear(it->second);
        return {};
    }
    if (auto it = c.net.find(ref.index); !sub->only_type.empty() && it != c.net.end() &&
                                         !it->second.type.empty() &&
                                         it->second.type != sub->only_type)
        return fail("only valid for {} interfaces (lxc.net.{}.type is {})", sub->only_type,
                    ref.index, it->second.type);
    // Parse into a copy so a bad value leaves nothing behind.
    Iface tmp = c.net.count(ref.index) ? c.net.at(ref.index) : Iface{};
    if (auto st = sub->set(tmp, v); !st) return invalid(v, st.error().root());
    Iface& iface = iface_for_set(c, ref.index, k.origin);
    tmp.origin = iface.origin;
    iface = std::move(tmp);
    return {};
}

Result<std::string> get_net(const LxcConfig& c, const KeyCall& k) {
    auto ref = *parse_ref(k.rest);
    auto it = c.net.find(ref.index);
    if (it == c.net.end()) return fail("no interface lxc.net.{} is configured", ref.index);
    if (ref.sub.empty()) return iface_lines(ref.index, it->second);
    return find_sub(ref.sub)->get(it->second);
}

Status clear_net(LxcConfig& c, const KeyCall& k) {
    auto ref = *parse_ref(k.rest);
    auto it = c.net.find(ref.index);
    if (it == c.net.end()) return {};
    if (ref.sub.empty())
        c.net.erase(it);
    else
        find_sub(ref.sub)->clear(it->second);
    return {};
}

Status set_all(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (!v.empty())
        return invalid(v, "lxc.net takes no value (an empty one removes all interfaces)");
    c.net.clear();
    c.legacy_net_current.reset();
    return {};
}
Result<std::string> get_all(const LxcConfig& c, const KeyCall&) {
    std::vector<std::string> blocks;
    for (const auto& [idx, i] : c.net) blocks.push_back(iface_lines(idx, i));
    return join_lines(blocks);
}
Status clear_all(LxcConfig& c, const KeyCall&) {
    c.net.clear();
    c.legacy_net_current.reset();
    return {};
}

// ---- kiste.net.N.secure: venet-like anti-spoofing (kiste's own key)
bool valid_secure_rest(std::string_view rest) {
    auto ref = parse_ref(rest);
    return ref && ref->sub == "secure";
}
Status set_secure(LxcConfig& c, const KeyCall& k, std::string_view v) {
    auto ref = *parse_ref(k.rest);
    if (v.empty()) {
        if (auto it = c.net.find(ref.index); it != c.net.end()) it->second.secure = false;
        return {};
    }
    bool b = KISTE_TRY(checked(parse_bool01(v), v));
    iface_for_set(c, ref.index, k.origin).secure = b;
    return {};
}
Result<std::string> get_secure(const LxcConfig& c, const KeyCall& k) {
    auto it = c.net.find(parse_ref(k.rest)->index);
    return std::string(it != c.net.end() && it->second.secure ? "1" : "0");
}
Status clear_secure(LxcConfig& c, const KeyCall& k) {
    if (auto it = c.net.find(parse_ref(k.rest)->index); it != c.net.end())
        it->second.secure = false;
    return {};
}

constexpr KeyDef kKeys[] = {
    KeyDef{.name = "lxc.net", .set = set_all, .get = get_all, .clear = clear_all},
    KeyDef{.name = "lxc.net.",
           .pattern = true,
           .set = set_net,
           .get = get_net,
           .clear = clear_net,
           .placeholder = "<N>.<type|flags|link|name|hwaddr|mtu|ipv4.address|...>",
           .valid = valid_net_rest},
    KeyDef{.name = "kiste.net.",
           .pattern = true,
           .set = set_secure,
           .get = get_secure,
           .clear = clear_secure,
           .placeholder = "<N>.secure",
           .valid = valid_secure_rest},
};

}  // namespace

std::span<const std::string_view> net_subkey_names() {
    static const auto names = [] {
        std::vector<std::string_view> v;
        for (const auto& s : kSubs) v.push_back(s.name);
        return v;
    }();
    return names;
}

std::span<const KeyDef> net_keys() {
    return kKeys;
}

}  // namespace kiste::lxc::detail
