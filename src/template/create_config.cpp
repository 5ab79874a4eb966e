#include "template/create_config.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <sstream>

#include "storage/storage.hpp"

namespace kiste::tmpl {

namespace {

std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

std::string line_value(const std::string& line) {
    auto eq = line.find('=');
    return eq == std::string::npos ? std::string() : trim(line.substr(eq + 1));
}

bool is_one_of(const std::string& key, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return key == n; });
}

// Spellings (today's and legacy) of the keys create rewrites.
constexpr std::initializer_list<const char*> kRootfsKeys = {"lxc.rootfs.path", "lxc.rootfs"};
constexpr std::initializer_list<const char*> kManagedKeys = {"lxc.rootfs.managed"};
constexpr std::initializer_list<const char*> kPathKeys = {"lxc.include", "lxc.mount.fstab",
                                                          "lxc.mount"};
// lxc-copy's prefix for a new MAC (the one LXC's default.conf uses).
constexpr const char* kNewHwaddr = "00:16:3e:xx:xx:xx";

// lxc.net.N.hwaddr, and the legacy lxc.network.hwaddr / lxc.network.N.hwaddr.
bool is_hwaddr_key(const std::string& key) {
    return (key.starts_with("lxc.net.") || key.starts_with("lxc.network.")) &&
           key.ends_with(".hwaddr");
}

std::string shell_quote_args(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& a : args) {
        if (!out.empty()) out += ' ';
        const bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./=:,+@", c);
        });
        out += plain ? a : "'" + a + "'";
    }
    return out;
}

}  // namespace

std::string line_key(const std::string& line) {
    std::string t = trim(line);
    if (t.empty() || t.front() == '#') return {};
    auto eq = t.find('=');
    if (eq == std::string::npos) return {};
    return trim(t.substr(0, eq));
}

std::string compose_config(const ConfigPlan& plan) {
    std::string out;
    out += "# Template used to create this container: " + plan.template_desc + "\n";
    out += "# Parameters passed to the template: " + shell_quote_args(plan.template_args) + "\n";
    out += "# For additional config options, please look at lxc.container.conf(5)\n";

    const bool force_zero = plan.managed == ConfigPlan::Managed::ForceZero;
    const bool reset = plan.managed == ConfigPlan::Managed::Reset;
    if (!plan.base_text.empty()) {
        out += "\n";
        std::istringstream in(plan.base_text);
        std::string line;
        while (std::getline(in, line)) {
            const std::string key = line_key(line);
            if ((plan.rootfs && is_one_of(key, kRootfsKeys)) ||
                ((force_zero || reset) && is_one_of(key, kManagedKeys))) {
                out += "# (replaced by kiste create) " + trim(line) + "\n";
                continue;
            }
            if (plan.complete_hwaddr && is_hwaddr_key(key)) {
                const std::string value = line_value(line);
                if (value.find_first_of("xX") != std::string::npos) {
                    out += key + " = " + plan.complete_hwaddr(value) + "\n";
                    continue;
                }
                if (!value.empty()) {
                    out += "# (replaced by kiste create: a MAC of its own) " + trim(line) + "\n";
                    out += key + " = " + plan.complete_hwaddr(kNewHwaddr) + "\n";
                    continue;
                }
            }
            if (is_one_of(key, kPathKeys)) {
                std::string value = line_value(line);
                if (!value.empty() && value.front() != '/' && !plan.base_dir.empty()) {
                    out += key + " = " + plan.base_dir + "/" + value + "\n";
                    continue;
                }
            }
            out += line + "\n";
        }
    }

    std::string added;
    if (plan.rootfs) added += "lxc.rootfs.path = " + storage::format_source(*plan.rootfs) + "\n";
    const bool has_rootfs = plan.rootfs || plan.base_keys.contains("lxc.rootfs.path");
    if (force_zero || (plan.managed == ConfigPlan::Managed::ZeroUnlessSet && has_rootfs &&
                       !plan.base_keys.contains("lxc.rootfs.managed")))
        added += "lxc.rootfs.managed = 0\n";
    // One from an lxc.include of -f's is not commented out above: overridden.
    if (reset && plan.base_keys.contains("lxc.rootfs.managed")) added += "lxc.rootfs.managed = 1\n";
    if (!plan.base_keys.contains("lxc.uts.name")) added += "lxc.uts.name = " + plan.name + "\n";
    if (!added.empty()) out += "\n# Added by kiste create\n" + added;
    return out;
}

}  // namespace kiste::tmpl
