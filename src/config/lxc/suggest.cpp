// "unknown key 'lxc.utsnam' (did you mean 'lxc.uts.name'?)": the nearest
// known key by edit distance, over today's names, the legacy names (which
// suggest their modern replacement) and the pattern keys (whose suffix is
// taken from what the user wrote). Linear in the key's length: a key too
// long to be a typo gets no suggestion, and a candidate whose length alone
// puts it out of reach is never compared.
#include <algorithm>
#include <cctype>
#include <vector>

#include "config/lxc/keys.hpp"
#include "config/lxc/legacy.hpp"
#include "config/lxc/limits.hpp"

namespace kiste::lxc::detail {

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

size_t count_dots(std::string_view s) {
    return static_cast<size_t>(std::count(s.begin(), s.end(), '.'));
}

// The part of `key` after its first `dots` dots ("lxc.cgrop.memory.x", 2 -> "memory.x").
std::string_view after_dots(std::string_view key, size_t dots) {
    size_t pos = 0;
    for (size_t i = 0; i < dots; ++i) {
        pos = key.find('.', pos);
        if (pos == std::string_view::npos) return {};
        ++pos;
    }
    return key.substr(pos);
}

struct Candidate {
    std::string text;        // compared with the key
    std::string suggestion;  // offered to the user
};

// The index the user wrote in an lxc.net.N.* / lxc.network.N.* key, if any.
std::string net_index_of(std::string_view key) {
    std::string_view rest = after_dots(key, 2);
    size_t n = 0;
    while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) ++n;
    return n ? std::string(rest.substr(0, n)) : std::string("0");
}

std::vector<Candidate> candidates(std::string_view key) {
    std::vector<Candidate> out;
    for (const KeyDef* k : all_keys()) {
        if (!k->pattern) {
            out.push_back({std::string(k->name), std::string(k->name)});
            continue;
        }
        if (k->names) {
            for (auto n : k->names()) {
                std::string full = std::string(k->name) + std::string(n);
                out.push_back({full, full});
            }
        }
        // The user's own suffix under this prefix ("lxc.cgrop.memory.x" -> lxc.cgroup.memory.x).
        std::string_view tail = after_dots(key, count_dots(k->name));
        if (!tail.empty() && !k->names && k->name != "lxc.net." && k->name != "kiste.net.") {
            std::string full = std::string(k->name) + std::string(tail);
            out.push_back({full, full});
        }
    }
    const std::string idx = net_index_of(key);
    for (auto sub : net_subkey_names()) {
        std::string full = "lxc.net." + idx + "." + std::string(sub);
        out.push_back({full, full});
    }
    out.push_back({"kiste.net." + idx + ".secure", "kiste.net." + idx + ".secure"});
    // Only real keys are offered.
    std::erase_if(out, [](const Candidate& c) {
        std::string_view rest;
        return !find_key(c.suggestion, &rest);
    });
    // Legacy names suggest today's: lxc.limit.X is offered as lxc.prlimit.X.
    const size_t modern = out.size();
    for (const auto& l : legacy_names()) {
        if (!l.prefix) {
            out.push_back({std::string(l.old_name), std::string(l.new_name)});
            continue;
        }
        for (size_t i = 0; i < modern; ++i) {
            if (!out[i].text.starts_with(l.new_name)) continue;
            std::string tail = out[i].text.substr(l.new_name.size());
            out.push_back({std::string(l.old_name) + tail, out[i].suggestion});
        }
    }
    for (auto sub : legacy_network_subkeys()) {
        std::string full = "lxc.network." + std::string(sub);
        out.push_back({full, full});
    }
    return out;
}

}  // namespace

std::string unknown_key_message(std::string_view key) {
    std::string msg = fmt::format("unknown key '{}'", abbreviated(key));
    if (key.size() > kMaxSuggestedKeyLength) return msg;
    const std::string lkey = lower(key);
    // The largest distance worth suggesting; the distance is at least the
    // difference in length, so longer or shorter candidates are skipped.
    const size_t limit = std::max<size_t>(2, key.size() / 5);
    size_t best = SIZE_MAX;
    std::string suggestion;
    for (const auto& c : candidates(lkey)) {
        size_t d = SIZE_MAX;
        if (c.text.starts_with(lkey + ".")) {
            d = 1;  // a key cut short ("lxc.net.0.ipv4") is as good as a typo
        } else if (std::max(c.text.size(), lkey.size()) - std::min(c.text.size(), lkey.size()) <=
                   limit) {
            d = edit_distance(lkey, c.text);
        }
        if (d < best) {
            best = d;
            suggestion = c.suggestion;
        }
    }
    if (!suggestion.empty() && best <= limit && suggestion != key)
        msg += fmt::format(" (did you mean '{}'?)", suggestion);
    return msg;
}

}  // namespace kiste::lxc::detail
