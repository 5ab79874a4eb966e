// The host's Debian mirror and release, for the debian template: apt's
// sources in both formats (one-line sources.list and deb822 *.sources) and
// /etc/os-release. Parsing is pure so the unit tests feed it text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiste::tmpl {

struct AptSource {
    std::vector<std::string> types;  // deb, deb-src
    std::vector<std::string> uris;
    std::vector<std::string> suites;
    std::vector<std::string> components;
    bool enabled = true;  // deb822 "Enabled: no"
};

// sources.list: "deb [option=value ...] URI SUITE [COMPONENT...]"; comments
// and malformed lines are skipped.
std::vector<AptSource> parse_sources_list(std::string_view text);

// deb822 (*.sources): paragraphs of "Field: value" (folded lines continue
// with a blank), separated by blank lines; field names are case-insensitive.
std::vector<AptSource> parse_deb822_sources(std::string_view text);

// /etc/apt/sources.list, then sources.list.d/*.list and *.sources in name
// order (as apt reads them), under `etc_apt`.
std::vector<AptSource> read_apt_sources(const std::string& etc_apt = "/etc/apt");

// The mirror to bootstrap `release` from: the first enabled binary ("deb")
// source over http(s), ftp or file that lists `release` as a suite; failing
// that, on a Debian host, the first such source of a plain suite (not
// -security, -updates, -backports, -proposed-updates). nullopt: use the
// default mirror. The URI comes back without a trailing '/'.
std::optional<std::string> pick_mirror(const std::vector<AptSource>& sources,
                                       std::string_view release, bool host_is_debian);

constexpr const char* kDefaultDebianMirror = "http://deb.debian.org/debian";

struct OsRelease {
    std::string id;                // "debian"
    std::string version_codename;  // "bookworm"
};
OsRelease parse_os_release(std::string_view text);
OsRelease read_os_release(const std::string& path = "/etc/os-release");

// The default release for the debian template: the host's codename on a
// Debian host, else "stable".
std::string default_debian_release(const OsRelease& host);

// Debian's architecture name for a uname machine ("x86_64" -> "amd64"); the
// machine itself when unknown.
std::string debian_arch(std::string_view machine);

}  // namespace kiste::tmpl
