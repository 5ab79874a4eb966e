#include "template/apt_sources.hpp"

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace kiste::tmpl {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        size_t start = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i > start) out.emplace_back(s.substr(start, i - start));
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string read_text(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

bool usable_scheme(std::string_view uri) {
    for (std::string_view s : {"http://", "https://", "ftp://", "file:/"})
        if (uri.starts_with(s)) return true;
    return false;
}

bool plain_suite(std::string_view suite) {
    for (std::string_view s : {"-security", "-updates", "-backports", "-proposed-updates"})
        if (suite.ends_with(s)) return false;
    // The security archive also serves "bookworm/updates" (the old layout).
    return suite.find('/') == std::string_view::npos;
}

bool has(const std::vector<std::string>& v, std::string_view x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

std::vector<AptSource> parse_sources_list(std::string_view text) {
    std::vector<AptSource> out;
    for (std::string_view line : lines(text)) {
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        auto w = words(line);
        if (w.empty() || (w[0] != "deb" && w[0] != "deb-src")) continue;
        size_t i = 1;
        // Options: "[arch=amd64 signed-by=/k.gpg]", possibly split over words.
        if (i < w.size() && w[i].starts_with('[')) {
            while (i < w.size() && !w[i].ends_with(']')) ++i;
            ++i;
        }
        if (w.size() < i + 2) continue;
        AptSource s;
        s.types = {w[0]};
        s.uris = {w[i]};
        s.suites = {w[i + 1]};
        s.components.assign(w.begin() + static_cast<long>(i) + 2, w.end());
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<AptSource> parse_deb822_sources(std::string_view text) {
    std::vector<AptSource> out;
    AptSource cur;
    bool any = false;
    std::string field;  // the field a continuation line belongs to
    auto flush = [&] {
        if (any && !cur.types.empty() && !cur.uris.empty()) out.push_back(std::move(cur));
        cur = AptSource{};
        any = false;
        field.clear();
    };
    auto add = [&](const std::string& f, std::string_view value) {
        auto w = words(value);
        if (f == "types") {
            cur.types.insert(cur.types.end(), w.begin(), w.end());
        } else if (f == "uris") {
            cur.uris.insert(cur.uris.end(), w.begin(), w.end());
        } else if (f == "suites") {
            cur.suites.insert(cur.suites.end(), w.begin(), w.end());
        } else if (f == "components") {
            cur.components.insert(cur.components.end(), w.begin(), w.end());
        } else if (f == "enabled") {
            cur.enabled = lower(trim(value)) != "no";
        }
    };
    for (std::string_view line : lines(text)) {
        if (line.starts_with('#')) continue;
        if (trim(line).empty()) {
            flush();
            continue;
        }
        if (line.front() == ' ' || line.front() == '\t') {
            // A folded continuation of the previous field.
            if (!field.empty()) add(field, line);
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        field = lower(trim(line.substr(0, colon)));
        any = true;
        add(field, line.substr(colon + 1));
    }
    flush();
    return out;
}

std::vector<AptSource> read_apt_sources(const std::string& etc_apt) {
    std::vector<AptSource> out = parse_sources_list(read_text(etc_apt + "/sources.list"));
    std::vector<std::string> names;
    const std::string d = etc_apt + "/sources.list.d";
    if (DIR* dir = ::opendir(d.c_str())) {
        while (dirent* e = ::readdir(dir)) {
            std::string n = e->d_name;
            if (n.ends_with(".list") || n.ends_with(".sources")) names.push_back(n);
        }
        ::closedir(dir);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
        std::string text = read_text(d + "/" + n);
        auto more = n.ends_with(".list") ? parse_sources_list(text) : parse_deb822_sources(text);
        out.insert(out.end(), more.begin(), more.end());
    }
    return out;
}

std::optional<std::string> pick_mirror(const std::vector<AptSource>& sources,
                                       std::string_view release, bool host_is_debian) {
    auto usable_uri = [](const AptSource& s) -> std::optional<std::string> {
        if (!s.enabled || !has(s.types, "deb")) return std::nullopt;
        for (const auto& u : s.uris) {
            if (!usable_scheme(u)) continue;
            std::string uri = u;
            while (uri.size() > 1 && uri.back() == '/') uri.pop_back();
            return uri;
        }
        return std::nullopt;
    };
    for (const auto& s : sources)
        if (has(s.suites, release))
            if (auto u = usable_uri(s)) return u;
    if (!host_is_debian) return std::nullopt;
    for (const auto& s : sources) {
        if (!std::any_of(s.suites.begin(), s.suites.end(),
                         [](const std::string& x) { return plain_suite(x); }))
            continue;
        if (auto u = usable_uri(s)) return u;
    }
    return std::nullopt;
}

OsRelease parse_os_release(std::string_view text) {
    OsRelease r;
    for (std::string_view line : lines(text)) {
        line = trim(line);
        auto eq = line.find('=');
        if (line.starts_with('#') || eq == std::string_view::npos) continue;
        std::string_view key = line.substr(0, eq);
        std::string_view value = line.substr(eq + 1);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front())
            value = value.substr(1, value.size() - 2);
        if (key == "ID") r.id = value;
        if (key == "VERSION_CODENAME") r.version_codename = value;
    }
    return r;
}

OsRelease read_os_release(const std::string& path) {
    return parse_os_release(read_text(path));
}

std::string default_debian_release(const OsRelease& host) {
    if (host.id == "debian" && !host.version_codename.empty()) return host.version_codename;
    return "stable";
}

std::string debian_arch(std::string_view machine) {
    struct Map {
        std::string_view uname, deb;
    };
    static constexpr Map kMap[] = {
        {"x86_64", "amd64"}, {"aarch64", "arm64"},   {"i386", "i386"},
        {"i486", "i386"},    {"i586", "i386"},       {"i686", "i386"},
        {"armv7l", "armhf"}, {"armv6l", "armel"},    {"ppc64le", "ppc64el"},
        {"s390x", "s390x"},  {"riscv64", "riscv64"}, {"loongarch64", "loong64"},
    };
    for (const auto& m : kMap)
        if (m.uname == machine) return std::string(m.deb);
    return std::string(machine);
}

}  // namespace kiste::tmpl
