#include "template/lookup.hpp"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace kiste::tmpl {

namespace {

bool is_executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

std::string parent_dir(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

void add_dir(std::vector<TemplateDir>& out, std::string path, bool lxc_only) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.empty()) return;
    for (const auto& d : out)
        if (d.path == path) return;
    out.push_back({std::move(path), lxc_only});
}

}  // namespace

std::vector<TemplateDir> template_path(const std::string& env, const std::string& exe,
                                       const std::string& datadir, const std::string& lxc_dir) {
    std::vector<TemplateDir> out;
    size_t start = 0;
    while (start <= env.size()) {
        size_t end = env.find(':', start);
        if (end == std::string::npos) end = env.size();
        add_dir(out, env.substr(start, end - start), false);
        start = end + 1;
    }
    // A build tree sits next to the source tree's templates/ (build-x/kiste
    // -> templates/): running from there uses the templates being edited.
    if (!exe.empty()) add_dir(out, parent_dir(parent_dir(exe)) + "/templates", false);
    if (!datadir.empty()) add_dir(out, datadir + "/templates", false);
    if (!lxc_dir.empty()) add_dir(out, lxc_dir, true);
    return out;
}

std::vector<TemplateDir> default_template_path() {
    const char* env = std::getenv("KISTE_TEMPLATE_PATH");
    char exe[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    std::string exe_path = n > 0 ? std::string(exe, static_cast<size_t>(n)) : std::string();
    return template_path(env != nullptr ? env : "", exe_path, KISTE_DATADIR);
}

Result<ResolvedTemplate> find_template(const std::string& name,
                                       const std::vector<TemplateDir>& path) {
    ResolvedTemplate t;
    t.name = name;
    if (name.empty()) return fail("no template name given");
    if (name == "none") {
        t.kind = TemplateKind::None;
        return t;
    }
    if (name == "dir") {
        t.kind = TemplateKind::Dir;
        return t;
    }
    if (name == "debian") {
        t.kind = TemplateKind::Debian;
        return t;
    }
    t.kind = TemplateKind::External;
    if (name.find('/') != std::string::npos) {
        char real[PATH_MAX];
        if (::realpath(name.c_str(), real) == nullptr) return fail_errno("template '{}'", name);
        if (!is_executable_file(real)) return fail("template '{}' is not an executable file", name);
        t.executable = real;
        return t;
    }
    std::string looked;
    for (const auto& dir : path) {
        std::vector<std::string> candidates;
        if (!dir.lxc_only) {
            candidates.push_back("kiste-" + name);
            candidates.push_back(name);
        }
        candidates.push_back("lxc-" + name);
        // `-t lxc-busybox` names LXC's own template where `-t busybox` is kiste's.
        if (dir.lxc_only && name.starts_with("lxc-")) candidates.push_back(name);
        for (const auto& c : candidates) {
            std::string p = dir.path + "/" + c;
            if (is_executable_file(p)) {
                t.executable = p;
                return t;
            }
        }
        looked += (looked.empty() ? "" : ", ") + dir.path;
    }
    return fail(
        "template '{}' not found: no executable kiste-{}, {} or lxc-{} in {} "
        "(set KISTE_TEMPLATE_PATH, or give a path: -t /path/to/template)",
        name, name, name, name, looked.empty() ? "an empty template path" : looked);
}

}  // namespace kiste::tmpl
