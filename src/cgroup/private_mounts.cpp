#include "cgroup/private_mounts.hpp"

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <utility>

#include "base/run_root.hpp"
#include "cgroup/host.hpp"
#include "cgroup/placement.hpp"
#include "cgroup/resources.hpp"

namespace kiste::cgroup {

namespace {

constexpr const char* kPrivateControllers[] = {"net_cls", "net_prio"};

bool has_subdir(const std::string& path) {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return false;
    bool found = false;
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (e->d_type == DT_DIR && n != "." && n != "..") {
            found = true;
            break;
        }
    }
    ::closedir(d);
    return found;
}

}  // namespace

std::vector<std::string> unmounted_v1_controllers(std::string_view proc_cgroups,
                                                  const std::vector<CgroupMount>& mounts) {
    std::vector<std::string> out;
    std::istringstream in{std::string(proc_cgroups)};
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.front() == '#') continue;
        std::istringstream f(line);
        std::string name;
        int hierarchy = -1, count = 0, enabled = 0;
        if (!(f >> name >> hierarchy >> count >> enabled) || enabled != 1) continue;
        const bool mounted = std::any_of(mounts.begin(), mounts.end(), [&](const auto& m) {
            return !m.v2 &&
                   std::find(m.super_opts.begin(), m.super_opts.end(), name) != m.super_opts.end();
        });
        // Hierarchy 0 on a v2-only kernel view means "on cgroup2": the caller
        // checks the layout first.
        if (!mounted) out.push_back(name);
    }
    return out;
}

std::vector<std::string> private_controllers_wanted(const CgroupConfig& cfg) {
    std::vector<std::string> out;
    const auto& settings = cfg.settings;
    for (const char* c : kPrivateControllers) {
        const std::string prefix = std::string(c) + ".";
        const bool typed = prefix == "net_cls." && cfg.resources.net_cls_classid.has_value();
        if (typed || std::any_of(settings.begin(), settings.end(), [&](const auto& s) {
                return s.version == 1 && s.key.starts_with(prefix);
            }))
            out.emplace_back(c);
    }
    return out;
}

std::string private_mount_root() {
    return kiste::run_root() + "/cgroup";
}

Status mount_private_hierarchies(const CgroupConfig& cfg) {
    const auto wanted = private_controllers_wanted(cfg);
    if (wanted.empty()) return {};
    const auto mi = KISTE_TRY(read_text("/proc/self/mountinfo"));
    const auto mounts = parse_mountinfo(mi);
    // v2 has no net_cls: the settings get their note there (translate.hpp).
    if (KISTE_TRY(layout_of(mounts)) == Layout::V2) return {};
    const auto unmounted = unmounted_v1_controllers(KISTE_TRY(read_text("/proc/cgroups")), mounts);
    for (const auto& c : wanted) {
        if (std::find(unmounted.begin(), unmounted.end(), c) == unmounted.end()) continue;
        const std::string root = private_mount_root();
        const std::string mp = root + "/" + c;
        for (const auto& dir : {kiste::run_root(), root, mp})
            if (::mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST)
                return fail_errno("creating {} for the {} hierarchy", dir, c);
        if (::mount("cgroup", mp.c_str(), "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, c.c_str()) <
                0 &&
            errno != EBUSY)
            return fail_errno("mounting the {} cgroup hierarchy on {}", c, mp);
    }
    return {};
}

void release_private_hierarchy(const std::string& mountpoint) {
    // Every kiste on the host sees (and uses) a private hierarchy while it is
    // mounted, whatever its run dir: whoever removes the last cgroup in it
    // unmounts it, also one mounted below another run dir.
    const auto slash = mountpoint.rfind('/');
    if (slash == std::string::npos || slash == 0) return;
    const std::string controller = mountpoint.substr(slash + 1);
    const std::string root = mountpoint.substr(0, slash);
    const bool private_name =
        std::any_of(std::begin(kPrivateControllers), std::end(kPrivateControllers),
                    [&](const char* c) { return controller == c; });
    if (!private_name || !root.ends_with("/cgroup") || root == "/sys/fs/cgroup") return;
    // kiste.payload stays in the host's hierarchies (ManagerBase::remove_dirs),
    // but not in one that goes: an empty one is removed here (rmdir fails on
    // one that still holds a container).
    ::rmdir((mountpoint + "/" + kPayloadDir).c_str());
    if (has_subdir(mountpoint)) return;
    // /proc/cgroups: the controller's hierarchy id (0 once the kernel has
    // dropped ours) and how many cgroups it holds, dying ones included.
    auto look = [&controller]() -> std::pair<int, long> {
        auto text = read_text("/proc/cgroups");
        if (!text) return {0, 0};  // nothing to check against: do not loop
        std::istringstream in(*text);
        for (std::string line; std::getline(in, line);) {
            std::istringstream f(line);
            std::string name;
            int hierarchy = -1;
            long count = 0;
            if (f >> name >> hierarchy >> count && name == controller) return {hierarchy, count};
        }
        return {0, 0};
    };
    auto wait_for = [](auto&& done, int tenths) {
        for (int i = 0; i < tenths; ++i) {
            if (done()) return true;
            ::usleep(100000);
        }
        return done();
    };
    // The kernel destroys an unmounted v1 hierarchy only when it holds no
    // cgroup but its root, dying ones included; otherwise the hierarchy
    // lingers without a mount, and every process on the host shows it in
    // /proc/PID/cgroup. So: wait until removed cgroups have died (they take
    // RCU grace periods, seconds on a loaded host), unmount, and while the
    // hierarchy stays, mount and unmount again.
    (void)wait_for([&] { return look().second <= 1; }, 100);
    if (::umount2(mountpoint.c_str(), 0) < 0) {
        (void)::umount2(mountpoint.c_str(), MNT_DETACH);  // busy: at least detach it
    } else {
        for (int attempt = 0; attempt < 5; ++attempt) {
            if (wait_for([&] { return look().first == 0; }, 20)) break;
            (void)wait_for([&] { return look().second <= 1; }, 50);
            if (::mount("cgroup", mountpoint.c_str(), "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        controller.c_str()) != 0)
                break;
            (void)::umount2(mountpoint.c_str(), 0);
        }
    }
    ::rmdir(mountpoint.c_str());
    ::rmdir(root.c_str());  // only when empty
}

}  // namespace kiste::cgroup
