// Mirror and release detection of the debian template.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "template/apt_sources.hpp"

namespace kiste::tmpl {
namespace {

TEST(AptSources, OneLineFormat) {
    auto s = parse_sources_list(
        "# comment\n"
        "deb http://ftp.de.debian.org/debian bookworm main contrib\n"
        "deb-src http://ftp.de.debian.org/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://m.example/debian/ "
        "bookworm-updates main # trailing comment\n"
        "deb [ arch=amd64 ] http://m.example/d trixie main\n"
        "deb cdrom:[Debian 12]/ bookworm main\n"
        "garbage line\n"
        "deb http://only-uri\n");
    ASSERT_EQ(s.size(), 5u);
    EXPECT_EQ(s[0].types, std::vector<std::string>{"deb"});
    EXPECT_EQ(s[0].uris, std::vector<std::string>{"http://ftp.de.debian.org/debian"});
    EXPECT_EQ(s[0].suites, std::vector<std::string>{"bookworm"});
    EXPECT_EQ(s[0].components, (std::vector<std::string>{"main", "contrib"}));
    EXPECT_EQ(s[1].types, std::vector<std::string>{"deb-src"});
    EXPECT_EQ(s[2].uris, std::vector<std::string>{"https://m.example/debian/"});
    EXPECT_EQ(s[2].suites, std::vector<std::string>{"bookworm-updates"});
    EXPECT_EQ(s[3].uris, std::vector<std::string>{"http://m.example/d"});
    EXPECT_EQ(s[4].uris, std::vector<std::string>{"cdrom:[Debian"});  // skipped by pick_mirror
}

TEST(AptSources, Deb822Format) {
    auto s = parse_deb822_sources(
        "Types: deb\n"
        "# http://snapshot.debian.org/archive/debian/20250520T000000Z\n"
        "URIs: http://deb.debian.org/debian\n"
        "Suites: bookworm bookworm-updates\n"
        "Components: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
        "\n"
        "Types: deb deb-src\n"
        "uris: http://security.debian.org/debian-security\n"
        "suites: bookworm-security\n"
        "Components: main\n"
        "\n"
        "Types: deb\n"
        "URIs: http://disabled.example/debian\n"
        "Suites: bookworm\n"
        "Enabled: no\n"
        "\n"
        "Types: deb\n"
        "URIs:\n"
        " http://folded.example/debian\n"
        "Suites: trixie\n"
        "Signed-By:\n"
        " -----BEGIN PGP PUBLIC KEY BLOCK-----\n"
        " .\n"
        " -----END PGP PUBLIC KEY BLOCK-----\n");
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].suites, (std::vector<std::string>{"bookworm", "bookworm-updates"}));
    EXPECT_EQ(s[1].types, (std::vector<std::string>{"deb", "deb-src"}));
    EXPECT_EQ(s[1].uris, std::vector<std::string>{"http://security.debian.org/debian-security"});
    EXPECT_FALSE(s[2].enabled);
    EXPECT_EQ(s[3].uris, std::vector<std::string>{"http://folded.example/debian"});
    EXPECT_EQ(s[3].suites, std::vector<std::string>{"trixie"});
}

TEST(AptSources, PickMirrorPrefersTheRelease) {
    auto s = parse_deb822_sources(
        "Types: deb\nURIs: http://security.debian.org/debian-security\n"
        "Suites: bookworm-security\n\n"
        "Types: deb\nURIs: http://disabled.example/debian\nSuites: bookworm\nEnabled: no\n\n"
        "Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\n\n"
        "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\n");
    EXPECT_EQ(pick_mirror(s, "bookworm", true), "http://mirror.example/debian");
    // Another release: on a Debian host, the plain-suite mirror serves it too.
    EXPECT_EQ(pick_mirror(s, "trixie", true), "http://mirror.example/debian");
    // Not a Debian host (Ubuntu's archive is no Debian mirror): the default.
    EXPECT_EQ(pick_mirror(s, "trixie", false), std::nullopt);
    EXPECT_EQ(pick_mirror({}, "bookworm", true), std::nullopt);
}

TEST(AptSources, PickMirrorSkipsUnusableSchemes) {
    auto s = parse_sources_list(
        "deb cdrom:[Debian]/ bookworm main\n"
        "deb mirror+file:/etc/apt/mirrors.txt bookworm main\n"
        "deb file:/srv/mirror bookworm main\n");
    EXPECT_EQ(pick_mirror(s, "bookworm", true), "file:/srv/mirror");
}

TEST(AptSources, ReadsTheHostLayout) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("kiste-apt-" + std::to_string(::getpid()));
    fs::create_directories(dir / "sources.list.d");
    std::ofstream(dir / "sources.list") << "# empty on a deb822 host\n";
    std::ofstream(dir / "sources.list.d" / "b.sources")
        << "Types: deb\nURIs: http://b.example/debian\nSuites: bookworm\n";
    std::ofstream(dir / "sources.list.d" / "a.list") << "deb http://a.example/debian sid main\n";
    std::ofstream(dir / "sources.list.d" / "c.list.disabled")
        << "deb http://c.example/debian bookworm main\n";
    auto s = read_apt_sources(dir.string());
    fs::remove_all(dir);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].uris[0], "http://a.example/debian");  // a.list sorts first
    EXPECT_EQ(s[1].uris[0], "http://b.example/debian");
    EXPECT_EQ(pick_mirror(s, "bookworm", true), "http://b.example/debian");
}

TEST(AptSources, OsReleaseAndDefaults) {
    auto r = parse_os_release(
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_CODENAME=bookworm\n");
    EXPECT_EQ(r.id, "debian");
    EXPECT_EQ(r.version_codename, "bookworm");
    EXPECT_EQ(default_debian_release(r), "bookworm");
    EXPECT_EQ(default_debian_release(parse_os_release("ID=ubuntu\nVERSION_CODENAME=noble\n")),
              "stable");
    EXPECT_EQ(default_debian_release(parse_os_release("ID='debian'\n")), "stable");
    EXPECT_EQ(debian_arch("x86_64"), "amd64");
    EXPECT_EQ(debian_arch("aarch64"), "arm64");
    EXPECT_EQ(debian_arch("weird"), "weird");
}

}  // namespace
}  // namespace kiste::tmpl
