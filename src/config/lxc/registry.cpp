// The key registry: finds a key's table entry, maps legacy names to today's,
// runs set / get / clear and gives errors their "origin: key: reason" form.
#include <algorithm>
#include <map>

#include "config/lxc/keys.hpp"
#include "config/lxc/legacy.hpp"

namespace kiste::lxc {

namespace detail {

std::unexpected<Error> invalid(std::string_view value, std::string_view reason) {
    return fail("invalid value '{}': {}", value, reason);
}

std::string join_lines(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += '\n';
        out += s;
    }
    return out;
}

const LxcConfig& defaults() {
    static const LxcConfig d;
    return d;
}

const std::vector<const KeyDef*>& all_keys() {
    static const std::vector<const KeyDef*> all = [] {
        std::vector<const KeyDef*> v;
        for (auto family : {process_keys(), net_keys(), mount_keys(), security_keys(), ns_keys(),
                            cgroup_keys(), misc_keys()})
            for (const auto& k : family) v.push_back(&k);
        return v;
    }();
    return all;
}

namespace {

struct Index {
    std::map<std::string_view, const KeyDef*> exact;
    std::vector<const KeyDef*> patterns;  // longest prefix first
};

const Index& index() {
    static const Index idx = [] {
        Index i;
        for (const KeyDef* k : all_keys()) {
            if (k->pattern)
                i.patterns.push_back(k);
            else
                i.exact.emplace(k->name, k);
        }
        std::sort(i.patterns.begin(), i.patterns.end(),
                  [](const KeyDef* a, const KeyDef* b) { return a->name.size() > b->name.size(); });
        return i;
    }();
    return idx;
}

bool rest_is_valid(const KeyDef& k, std::string_view rest) {
    if (k.valid) return k.valid(rest);
    if (k.names) {
        auto names = k.names();
        return std::find(names.begin(), names.end(), rest) != names.end();
    }
    return !rest.empty();
}

std::string with_origin(std::string_view origin, std::string_view msg) {
    if (origin.empty()) return std::string(msg);
    return fmt::format("{}: {}", origin, msg);
}

std::unexpected<Error> unknown(std::string_view origin, std::string_view key) {
    return fail("{}", with_origin(origin, unknown_key_message(key)));
}

// A resolved key: today's name (legacy network keys rewritten onto their
// interface) and the table entry.
struct Resolved {
    std::string key;
    const KeyDef* def = nullptr;
    std::string_view rest;
};

// `for_set`: lxc.network.type starts a new interface.
Result<Resolved> resolve(LxcConfig* cfg, const LxcConfig& view, std::string_view written,
                         std::string_view value, std::string_view origin, bool for_set) {
    Resolved r;
    if (is_legacy_network(written)) {
        auto ln = parse_legacy_network(written);
        if (!ln) return unknown(origin, written);
        if (ln->sub.empty() || (ln->sub == "type" && !ln->index && value.empty() && for_set)) {
            r.key = "lxc.net";  // lxc.network (or an empty lxc.network.type): all interfaces
        } else {
            unsigned idx = 0;
            if (ln->index) {
                idx = *ln->index;
            } else if (ln->sub == "type" && for_set) {
                idx = view.net.empty() ? 0 : view.net.rbegin()->first + 1;
                if (cfg) cfg->legacy_net_current = idx;
            } else if (view.legacy_net_current) {
                idx = *view.legacy_net_current;
            } else if (!for_set && !view.net.empty()) {
                idx = view.net.rbegin()->first;
            } else {
                return fail("{}", with_origin(origin, fmt::format("{}: no network interface yet "
                                                                  "(an lxc.network.type line "
                                                                  "must come first)",
                                                                  written)));
            }
            r.key = fmt::format("lxc.net.{}.{}", idx, ln->sub);
        }
    } else if (auto m = modern_key(written)) {
        r.key = std::move(*m);
    } else {
        r.key = std::string(written);
    }
    return r;
}

}  // namespace

const KeyDef* find_key(std::string_view key, std::string_view* rest) {
    const Index& i = index();
    if (auto it = i.exact.find(key); it != i.exact.end()) {
        if (rest) *rest = {};
        return it->second;
    }
    for (const KeyDef* k : i.patterns) {
        if (!key.starts_with(k->name)) continue;
        std::string_view r = key.substr(k->name.size());
        if (!rest_is_valid(*k, r)) return nullptr;
        if (rest) *rest = r;
        return k;
    }
    return nullptr;
}

Status set_key_at(LxcConfig& cfg, std::string_view key, std::string_view value,
                  std::string_view origin, std::string_view base_dir, ParseState* state) {
    if (key == "lxc.include") return include_path(cfg, value, origin, base_dir, state);
    auto r = KISTE_TRY(resolve(&cfg, cfg, key, value, origin, true));
    std::string_view rest;
    const KeyDef* def = find_key(r.key, &rest);
    if (!def) return unknown(origin, key);
    KeyCall call{
        .key = r.key, .written = key, .rest = rest, .origin = origin, .base_dir = base_dir};
    if (auto st = def->set(cfg, call, value); !st)
        return fail(
            Error(st.error().code(),
                  with_origin(origin, fmt::format("{}: {}", key, st.error().message(false)))));
    if (!origin.empty()) cfg.origins[r.key] = std::string(origin);
    return {};
}

}  // namespace detail

using namespace detail;

Status set_key(LxcConfig& cfg, std::string_view key, std::string_view value,
               const std::string& origin) {
    return set_key_at(cfg, trim(key), trim(value), origin, {}, nullptr);
}

Status apply_override(LxcConfig& cfg, std::string_view key_equals_value) {
    size_t eq = key_equals_value.find('=');
    if (eq == std::string_view::npos)
        return fail("invalid definition '{}': expected KEY=VALUE", key_equals_value);
    // Like a config line (LXC's parse_new_conf_line): trimmed, quotes removed.
    return set_key_at(cfg, trim(key_equals_value.substr(0, eq)),
                      unquote(trim(key_equals_value.substr(eq + 1))), "command line", {}, nullptr);
}

Result<std::string> get_key(const LxcConfig& cfg, std::string_view key) {
    key = trim(key);
    auto r = KISTE_TRY(resolve(nullptr, cfg, key, {}, {}, false));
    std::string_view rest;
    const KeyDef* def = find_key(r.key, &rest);
    if (!def) return unknown({}, key);
    if (!def->get) return fail("{}: this key cannot be read back", key);
    KeyCall call{.key = r.key, .written = key, .rest = rest};
    return with_context(def->get(cfg, call), "{}", key);
}

Status clear_key(LxcConfig& cfg, std::string_view key) {
    key = trim(key);
    auto r = KISTE_TRY(resolve(nullptr, cfg, key, {}, {}, false));
    std::string_view rest;
    const KeyDef* def = find_key(r.key, &rest);
    if (!def) return unknown({}, key);
    KeyCall call{.key = r.key, .written = key, .rest = rest};
    return with_context(def->clear(cfg, call), "{}", key);
}

std::vector<std::string> known_keys() {
    std::vector<std::string> out;
    for (const KeyDef* k : all_keys()) {
        if (!k->pattern) {
            out.emplace_back(k->name);
        } else if (k->names) {
            for (auto n : k->names()) out.push_back(std::string(k->name) + std::string(n));
        } else {
            out.push_back(std::string(k->name) + std::string(k->placeholder));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace kiste::lxc
