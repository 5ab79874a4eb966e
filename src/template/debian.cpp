#include "template/debian.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "base/scope_exit.hpp"
#include "config/lxc/config.hpp"
#include "template/apt_sources.hpp"
#include "template/debian_setup.hpp"
#include "template/remove_tree.hpp"

namespace kiste::tmpl {

namespace {

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ',' || c == ' ') {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

bool valid_word(const std::string& s) {
    return !s.empty() && s.front() != '-' && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '+' ||
               c == '_';
    });
}

Status mkdir_p(const std::string& path, mode_t mode) {
    std::string cur;
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        cur = path.substr(0, end);
        start = end + 1;
        if (cur.empty() || cur == "/") continue;
        if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST)
            return fail_errno("creating directory {}", cur);
    }
    return {};
}

std::string find_in_path(const std::string& prog) {
    std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
    // root's tools even when PATH lacks the sbin directories (sudo, cron)
    path += ":/usr/local/sbin:/usr/sbin:/sbin";
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::string p = path.substr(start, end - start) + "/" + prog;
        start = end + 1;
        if (p.front() == '/' && ::access(p.c_str(), X_OK) == 0) return p;
    }
    return {};
}

// Takes the cache entry's lock, waiting for another create that fills it.
Result<UniqueFd> lock_cache(const std::string& lock_path, InterruptGuard* interrupts,
                            const Progress& progress) {
    UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd) return fail_errno("opening the cache lock {}", lock_path);
    bool told = false;
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK) return fail_errno("locking {}", lock_path);
        if (!told && progress)
            progress("debian: waiting for another kiste create to fill the cache");
        told = true;
        pollfd p{interrupts != nullptr ? interrupts->fd() : -1, POLLIN, 0};
        ::poll(&p, 1, 250);
        if (interrupts != nullptr) KISTE_TRY(interrupts->check());
    }
    return fd;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

Status bootstrap(const std::string& debootstrap, const std::string& release,
                 const std::string& arch, const std::string& mirror,
                 const std::vector<std::string>& packages, const std::string& partial,
                 InterruptGuard* interrupts) {
    std::string include;
    for (const auto& p : packages) include += (include.empty() ? "" : ",") + p;
    ChildSpec spec;
    spec.argv = {debootstrap,
                 "--variant=minbase",
                 "--arch=" + arch,
                 "--include=" + include,
                 "--components=main",
                 release,
                 partial,
                 mirror};
    // Maintainer scripts must not ask questions (stdin is /dev/null) nor
    // trip over the caller's locale.
    spec.env_add = {"DEBIAN_FRONTEND=noninteractive", "LC_ALL=C"};
    auto st = KISTE_TRY(run_child(spec, interrupts));
    if (st.shell_code() != 0)
        return fail("debootstrap {} {} from {} failed (exit {}); its output above says why",
                    release, arch, mirror, st.shell_code());
    return {};
}

}  // namespace

Result<DebianOptions> parse_debian_args(const std::vector<std::string>& args) {
    DebianOptions o;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        std::string value;
        bool has_value = false;
        if (auto eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_value = true;
        }
        auto take = [&]() -> Result<std::string> {
            if (has_value) return value;
            if (i + 1 >= args.size()) return fail("debian template: {} needs a value", a);
            return args[++i];
        };
        if (a == "-r" || a == "--release") {
            o.release = KISTE_TRY(take());
            if (!valid_word(o.release)) return fail("debian template: bad release '{}'", o.release);
        } else if (a == "--mirror" || a == "-m") {
            o.mirror = KISTE_TRY(take());
            while (o.mirror.size() > 1 && o.mirror.back() == '/') o.mirror.pop_back();
        } else if (a == "-a" || a == "--arch") {
            o.arch = KISTE_TRY(take());
            if (!valid_word(o.arch)) return fail("debian template: bad architecture '{}'", o.arch);
        } else if (a == "--packages") {
            for (auto& p : split_list(KISTE_TRY(take()))) {
                if (!valid_word(p)) return fail("debian template: bad package name '{}'", p);
                o.packages.push_back(std::move(p));
            }
        } else if (a == "--flush-cache" || a == "-F") {
            o.flush_cache = true;
        } else {
            return fail(
                "debian template: unknown argument '{}' (known: --release, --mirror, --arch, "
                "--packages, --flush-cache)",
                args[i]);
        }
    }
    return o;
}

std::string debian_cache_key(const std::string& release, const std::string& arch,
                             std::vector<std::string> extra_packages) {
    std::string key = release + "-" + arch;
    if (extra_packages.empty()) return key;
    std::sort(extra_packages.begin(), extra_packages.end());
    extra_packages.erase(std::unique(extra_packages.begin(), extra_packages.end()),
                         extra_packages.end());
    // FNV-1a: stable across builds, unlike std::hash.
    uint64_t h = 1469598103934665603ULL;
    for (const auto& p : extra_packages) {
        for (char c : p + ",") {
            h ^= static_cast<unsigned char>(c);
            h *= 1099511628211ULL;
        }
    }
    return fmt::format("{}-{:08x}", key, static_cast<uint32_t>(h ^ (h >> 32)));
}

std::string kiste_cache_dir() {
    const char* env = std::getenv("KISTE_CACHE_DIR");
    return env != nullptr && *env != '\0' ? std::string(env) : std::string("/var/cache/kiste");
}

Status build_debian(const DebianTarget& target, const DebianOptions& opt,
                    InterruptGuard* interrupts, const Progress& progress, Logger& log) {
    auto say = [&](const std::string& msg) {
        if (progress) progress(msg);
        log.info("{}", msg);
    };
    const OsRelease host = read_os_release();
    const std::string release = !opt.release.empty() ? opt.release : default_debian_release(host);
    std::string arch = opt.arch;
    if (arch.empty()) {
        utsname u{};
        ::uname(&u);
        arch = debian_arch(u.machine);
    }
    std::string mirror = opt.mirror;
    if (mirror.empty())
        mirror = pick_mirror(read_apt_sources(), release, host.id == "debian")
                     .value_or(kDefaultDebianMirror);

    std::vector<std::string> packages(std::begin(kDebianPackages), std::end(kDebianPackages));
    packages.insert(packages.end(), opt.packages.begin(), opt.packages.end());

    const std::string cache_root = kiste_cache_dir() + "/debian";
    KISTE_TRY(mkdir_p(cache_root, 0755));
    const std::string key = debian_cache_key(release, arch, opt.packages);
    const std::string entry = cache_root + "/" + key;
    UniqueFd lock = KISTE_TRY(lock_cache(cache_root + "/" + key + ".lock", interrupts, progress));

    if (opt.flush_cache && exists(entry)) {
        say(fmt::format("debian: flushing the cached tree {}", entry));
        KISTE_TRY(remove_tree_checked(entry));
    }
    if (!exists(entry)) {
        const std::string debootstrap = find_in_path("debootstrap");
        if (debootstrap.empty())
            return fail("debootstrap not found: install the debootstrap package");
        // Whatever an earlier, killed run left: we hold the lock, so it is stale.
        const std::string partial = cache_root + "/.partial-" + key;
        KISTE_TRY(remove_tree_checked(partial));
        if (::mkdir(partial.c_str(), 0755) < 0) return fail_errno("creating {}", partial);
        ScopeExit drop_partial([&] {
            if (auto st = remove_tree_checked(partial); !st)
                log.error("cleaning up the partial download: {}", st.error().message());
        });
        say(
            fmt::format("debian: downloading {} ({}) from {} into the cache {} (once; later "
                        "creates copy it)",
                        release, arch, mirror, entry));
        KISTE_TRY(bootstrap(debootstrap, release, arch, mirror, packages, partial, interrupts));
        // Debian's tree as debootstrap left it, less apt's downloads; the
        // per-container setup happens on the copy.
        KISTE_TRY(prune_apt_caches(partial));
        if (::rename(partial.c_str(), entry.c_str()) < 0)
            return fail_errno("renaming {} to {}", partial, entry);
        drop_partial.dismiss();
    } else {
        say(fmt::format("debian: using the cached {} ({})", key, entry));
    }

    say(fmt::format("debian: copying the tree to {}", target.rootfs));
    ChildSpec cp;
    cp.argv = {"cp", "-a", "--reflink=auto", entry + "/.", target.rootfs + "/"};
    cp.new_mount_ns = false;
    auto st = KISTE_TRY(run_child(cp, interrupts));
    if (st.shell_code() != 0)
        return fail("copying {} to {} failed (cp exit {})", entry, target.rootfs, st.shell_code());
    lock.reset();

    // The config keys a systemd container needs, then the tree set up for it.
    auto cfg = KISTE_TRY(lxc::load_file(target.config));
    if (std::string add = debian_config_additions(cfg); !add.empty()) {
        UniqueFd f(::open(target.config.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
        if (!f) return fail_errno("opening {}", target.config);
        std::string text = "\n# Added by kiste's debian template\n" + add;
        if (::write(f.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
            return fail_errno("writing {}", target.config);
        cfg = KISTE_TRY(lxc::load_file(target.config));
    }
    std::string hostname = cfg.spec.hostname.empty() ? target.name : cfg.spec.hostname;
    say(fmt::format("debian: setting up {} for a container", target.rootfs));
    KISTE_TRY(setup_debian_rootfs({.rootfs = target.rootfs,
                                   .hostname = hostname,
                                   .ttys = cfg.spec.dev.tty_max,
                                   .config = &cfg}));
    return {};
}

}  // namespace kiste::tmpl
