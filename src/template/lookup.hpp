// Finding a template: kiste's built-in ones (none, dir, debian), an explicit
// path (`-t /abs/script`), or an executable in the template path.
//
// The template path, searched in order:
//   1. $KISTE_TEMPLATE_PATH (a colon-separated list)
//   2. the source tree's templates/ when kiste runs from a build tree
//      (dirname(/proc/self/exe)/../templates)
//   3. KISTE_DATADIR/templates (the installed templates)
//   4. /usr/share/lxc/templates (LXC's own templates; only lxc-NAME there,
//      so `-t lxc-busybox` picks LXC's busybox and `-t busybox` kiste's)
// In each kiste directory the names tried are kiste-NAME, NAME, lxc-NAME.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kiste/error.hpp"

namespace kiste::tmpl {

enum class TemplateKind {
    None,      // config only
    Dir,       // an existing rootfs directory (-- --dir DIR)
    Debian,    // built in: debootstrap (debian.hpp)
    External,  // an executable called with LXC's template convention
};

struct TemplateDir {
    std::string path;
    bool lxc_only = false;  // LXC's directory: only lxc-NAME lives there
    bool operator==(const TemplateDir&) const = default;
};

struct ResolvedTemplate {
    TemplateKind kind = TemplateKind::External;
    std::string name;        // as given with -t
    std::string executable;  // External: the absolute path that will run
};

// The template path from its parts (pure, for tests): `env` is
// $KISTE_TEMPLATE_PATH (may be empty), `exe` the running binary (may be
// empty), `datadir` KISTE_DATADIR. Directories that do not exist are kept
// (lookup skips them); duplicates are dropped.
std::vector<TemplateDir> template_path(const std::string& env, const std::string& exe,
                                       const std::string& datadir,
                                       const std::string& lxc_dir = "/usr/share/lxc/templates");

// The template path of this process (environment, /proc/self/exe, KISTE_DATADIR).
std::vector<TemplateDir> default_template_path();

// Resolves `-t NAME`. Built-ins win over files of the same name; a name with
// a '/' is a path to an executable. The error lists where it looked.
Result<ResolvedTemplate> find_template(const std::string& name,
                                       const std::vector<TemplateDir>& path);

}  // namespace kiste::tmpl
