// The config `kiste create` writes before the template runs: LXC's header,
// the -f file's text (relative lxc.include / lxc.mount.fstab made absolute,
// since the copy lives elsewhere), then what create adds. Pure, for tests.
//
// What lxc-create does, and kiste with it: the rootfs a template builds is
// LXCPATH/NAME/rootfs, whatever -f said (LXC's set_config_item replaces the
// key); the -f lines setting it are commented out so that a template
// reading the config with grep finds one value. lxc.uts.name defaults to
// the container's name.
//
// Each container gets its own MAC address: a -f hwaddr with LXC's 'x'
// digits is filled in (as lxc-create does), a fixed one, likely another
// container's, is replaced by a random 00:16:3e:xx:xx:xx (as lxc-copy does)
// and kept as a comment.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kiste/spec.hpp"

namespace kiste::tmpl {

struct ConfigPlan {
    std::string template_desc;               // "busybox (/usr/share/kiste/templates/busybox)"
    std::vector<std::string> template_args;  // for the header
    std::string base_text;                   // the -f file ("" without -f)
    std::string base_dir;                    // its directory, for relative paths
    std::set<std::string> base_keys;         // keys -f sets (today's names, includes too)
    std::string name;
    std::optional<RootfsSource> rootfs;  // lxc.rootfs.path to set, replacing -f's
    enum class Managed {
        Keep,           // leave lxc.rootfs.managed alone
        ZeroUnlessSet,  // -t none with -f's rootfs: kiste did not make it
        ForceZero,      // -t dir: never delete the user's directory
        Reset,          // kiste makes the rootfs: -f's managed = 0 (say, a -t dir
                        // container's config) does not hold for it
    } managed = Managed::Keep;
    // Fills a MAC pattern's 'x' digits at random (net::complete_hwaddr);
    // unset, the -f file's hwaddr lines are kept as they are.
    std::function<std::string(const std::string&)> complete_hwaddr;
};

std::string compose_config(const ConfigPlan& plan);

// The key of a config line ("lxc.rootfs.path" for "  lxc.rootfs.path = x"),
// empty for comments, blank and malformed lines.
std::string line_key(const std::string& line);

}  // namespace kiste::tmpl
