// The declarative key table (internal). One KeyDef per key (or per key
// pattern such as lxc.cgroup.<controller>.<file>), each with set / get /
// clear. The tables live by family in keys_*.cpp; registry.cpp finds the
// entry for a key, resolves legacy names and formats errors.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/lxc/config.hpp"
#include "config/lxc/values.hpp"
#include "kiste/error.hpp"

namespace kiste::lxc::detail {

// One call of a key's function.
struct KeyCall {
    std::string_view key = {};       // today's name, e.g. "lxc.prlimit.nofile"
    std::string_view written = {};   // as the user wrote it (maybe a legacy name)
    std::string_view rest = {};      // pattern keys: the part after the prefix ("nofile")
    std::string_view origin = {};    // "file:line", "command line" or empty
    std::string_view base_dir = {};  // directory of the file being read; empty: the cwd
};

using SetFn = Status (*)(LxcConfig&, const KeyCall&, std::string_view value);
using GetFn = Result<std::string> (*)(const LxcConfig&, const KeyCall&);
using ClearFn = Status (*)(LxcConfig&, const KeyCall&);
// For pattern keys whose suffix comes from a fixed set (prlimit names, ...).
using NamesFn = std::span<const std::string_view> (*)();

struct KeyDef {
    std::string_view name = {};  // exact key, or the prefix of a pattern key (ends in '.')
    bool pattern = false;        // name is a prefix; KeyCall::rest holds the remainder
    SetFn set = nullptr;
    GetFn get = nullptr;
    ClearFn clear = nullptr;
    // Pattern keys: the placeholder shown in known_keys() ("<controller>.<file>"),
    // and optionally the closed set of valid suffixes.
    std::string_view placeholder = {};
    NamesFn names = nullptr;
    // Pattern keys: whether a suffix names a real key (default: any non-empty
    // suffix, or one of names() when given). A false answer makes the key unknown.
    bool (*valid)(std::string_view rest) = nullptr;
};

// The families (one file each).
std::span<const KeyDef> process_keys();   // keys_process.cpp
std::span<const KeyDef> net_keys();       // keys_net.cpp
std::span<const KeyDef> mount_keys();     // keys_mount.cpp
std::span<const KeyDef> security_keys();  // keys_security.cpp
std::span<const KeyDef> ns_keys();        // keys_ns.cpp
std::span<const KeyDef> cgroup_keys();    // keys_cgroup.cpp
std::span<const KeyDef> misc_keys();      // keys_misc.cpp

// Every family, in one list.
const std::vector<const KeyDef*>& all_keys();

// The entry for today's key name (exact entries first, then the longest
// matching pattern prefix); nullptr when unknown. `rest` gets the suffix.
const KeyDef* find_key(std::string_view key, std::string_view* rest);

// Net sub-keys ("type", "ipv4.address", ...) for suggestions and conversion.
std::span<const std::string_view> net_subkey_names();

// set_key_at (registry.cpp): the whole set path of one line, with the state
// of the file being read (for lxc.include). include_path (parser.cpp) reads
// an lxc.include value; read_text_file (parser.cpp) a whole file.
struct ParseState;
Status set_key_at(LxcConfig& cfg, std::string_view key, std::string_view value,
                  std::string_view origin, std::string_view base_dir, ParseState* state);
Status include_path(LxcConfig& cfg, std::string_view value, std::string_view origin,
                    std::string_view base_dir, ParseState* state);
Result<std::string> read_text_file(const std::string& path);

// ---- error helpers
// "invalid value 'V': REASON" (the dispatcher prefixes "origin: key: ").
std::unexpected<Error> invalid(std::string_view value, std::string_view reason);
// Turns a value parser's bare reason into invalid(value, reason).
template <class T>
Result<T> checked(Result<T> r, std::string_view value) {
    if (!r) return invalid(value, r.error().root());
    return r;
}

// "unknown key 'K'" plus " (did you mean 'X'?)" when one is close.
std::string unknown_key_message(std::string_view key);

// ---- helpers shared by the families
std::string join_lines(const std::vector<std::string>& v);
const LxcConfig& defaults();  // a default-constructed LxcConfig, for clear

// Scalar keys from an accessor and a codec. A codec has
//   static Result<T> parse(std::string_view)  (errors: the bare reason)
//   static std::string format(const T&)
// and the accessor is a captureless lambda `[](auto& c) -> auto& {...}`.
// An empty value resets the field to its default, as in LXC.
template <class Codec, auto Acc>
Status scalar_set(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (v.empty()) {
        Acc(c) = Acc(defaults());
        return {};
    }
    auto parsed = Codec::parse(v);
    if (!parsed) return invalid(v, parsed.error().root());
    Acc(c) = std::move(*parsed);
    return {};
}
template <class Codec, auto Acc>
Result<std::string> scalar_get(const LxcConfig& c, const KeyCall&) {
    return Codec::format(Acc(c));
}
template <auto Acc>
Status scalar_clear(LxcConfig& c, const KeyCall&) {
    Acc(c) = Acc(defaults());
    return {};
}
template <class Codec, auto Acc>
constexpr KeyDef scalar(std::string_view name) {
    return KeyDef{.name = name,
                  .set = scalar_set<Codec, Acc>,
                  .get = scalar_get<Codec, Acc>,
                  .clear = scalar_clear<Acc>};
}

// List keys of plain strings: each line appends the value's words (split on
// blanks when `split` is true) or the whole value; an empty value clears.
template <auto Acc, bool Split>
Status list_set(LxcConfig& c, const KeyCall&, std::string_view v) {
    if (v.empty()) {
        Acc(c).clear();
        return {};
    }
    if constexpr (Split) {
        for (auto w : split_blanks(v)) Acc(c).emplace_back(w);
    } else {
        Acc(c).emplace_back(v);
    }
    return {};
}
template <auto Acc>
Result<std::string> list_get(const LxcConfig& c, const KeyCall&) {
    return join_lines(Acc(c));
}
template <auto Acc>
Status list_clear(LxcConfig& c, const KeyCall&) {
    Acc(c).clear();
    return {};
}

template <auto Acc, bool Split>
constexpr KeyDef string_list(std::string_view name) {
    return KeyDef{
        .name = name, .set = list_set<Acc, Split>, .get = list_get<Acc>, .clear = list_clear<Acc>};
}

}  // namespace kiste::lxc::detail
