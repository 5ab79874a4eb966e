// Making a debootstrapped Debian tree fit for a system container (systemd
// era): what has no hardware to drive is masked, gettys run on the
// container's ttys, systemd-networkd configures the interfaces of the
// config, root logs in on the console without a password. The text
// builders are pure, for tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/lxc/config.hpp"
#include "kiste/error.hpp"

namespace kiste::tmpl {

// Units masked (linked to /dev/null) in the container: udev, kernel module
// loading, kernel/debug/hugepage file systems, binfmt, audit, the hardware
// clock and time sync (the host keeps the clock), first-boot prompts, and
// the root remount (kiste mounts the root).
extern const std::vector<std::string> kMaskedUnits;

// One systemd-networkd file per interface of the config that exists inside
// the container: {"10-kiste-eth0.network", text}. Static addresses and
// gateways from lxc.net.N.ipv4/ipv6.*, DHCP (IPv4) when no IPv4 address is
// set. Nothing when an interface shares the host's network (type none) or
// there is none.
std::vector<std::pair<std::string, std::string>> networkd_files(const lxc::LxcConfig& cfg);

// /etc/shadow with root's password emptied (a console login without one).
std::string shadow_root_passwordless(const std::string& shadow);

std::string hosts_file(const std::string& hostname);

// The config keys a systemd container needs, as "key = value" lines, for
// those the config does not set yet (today's name or a legacy alias).
std::string debian_config_additions(const lxc::LxcConfig& cfg);

// Drops apt's downloaded packages and package lists (as Debian's container
// images do): 90 MB a container does not need; `apt update` fetches fresh
// lists.
Status prune_apt_caches(const std::string& rootfs);

struct DebianSetup {
    std::string rootfs;
    std::string hostname;
    unsigned ttys = 0;
    const lxc::LxcConfig* config = nullptr;
};
Status setup_debian_rootfs(const DebianSetup& s);

}  // namespace kiste::tmpl
