// The built-in debian template: debootstrap from the host's Debian mirror
// into a cache (CACHE/debian/RELEASE-ARCH, CACHE = $KISTE_CACHE_DIR or
// /var/cache/kiste), copied into the container's rootfs, then made fit for a
// container (debian_setup.cpp).
//
// Why C++ and not a shell script like templates/busybox: the template needs
// the container's config as kiste understands it (lxc.net.N with legacy
// spellings, several addresses, lxc.tty.max) to write systemd-networkd files
// and gettys, the mirror detection reads apt's two source formats and is
// unit-tested, and an interrupted download must clean up through the same
// signal handling as the rest of `kiste create`.
//
// Template arguments (after `--`):
//   -r, --release NAME   Debian release (default: the host's codename on a
//                        Debian host, else "stable")
//   --mirror URL         Debian mirror (default: from the host's apt sources,
//                        else http://deb.debian.org/debian)
//   -a, --arch ARCH      architecture (default: the host's)
//   --packages A,B       extra packages (the cache key then includes them)
//   --flush-cache        download afresh, replacing the cached tree
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "kiste/error.hpp"
#include "template/run_child.hpp"

namespace kiste::tmpl {

struct DebianOptions {
    std::string release;                // empty: default_debian_release()
    std::string mirror;                 // empty: the host's (pick_mirror), else the default
    std::string arch;                   // empty: the host's
    std::vector<std::string> packages;  // extra, beyond kDebianPackages
    bool flush_cache = false;
};

// What a systemd container needs beyond debootstrap's minbase.
constexpr const char* kDebianPackages[] = {"systemd-sysv", "dbus", "iproute2", "iputils-ping",
                                           "procps",       "less", "vim-tiny"};

Result<DebianOptions> parse_debian_args(const std::vector<std::string>& args);

// The cache entry's name: "RELEASE-ARCH", plus "-" and a hash of the sorted
// extra packages when there are any.
std::string debian_cache_key(const std::string& release, const std::string& arch,
                             std::vector<std::string> extra_packages);

// $KISTE_CACHE_DIR, else /var/cache/kiste.
std::string kiste_cache_dir();

using Progress = std::function<void(std::string_view)>;

struct DebianTarget {
    std::string name;
    std::string config;  // LXCPATH/NAME/config (keys are appended)
    std::string rootfs;  // an existing, empty directory
};

Status build_debian(const DebianTarget& target, const DebianOptions& opt,
                    InterruptGuard* interrupts, const Progress& progress, Logger& log);

}  // namespace kiste::tmpl
