#include "template/create.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "base/scope_exit.hpp"
#include "config/lxc/config.hpp"
#include "net/hwaddr.hpp"
#include "state/run_lock.hpp"
#include "template/create_config.hpp"
#include "template/debian.hpp"
#include "template/remove_tree.hpp"
#include "template/run_child.hpp"

namespace kiste::tmpl {

namespace {

struct MappedRoot {
    uid_t uid = 0;
    gid_t gid = 0;
};

// Container root's host ids when the config maps ids (lxc.idmap).
std::optional<MappedRoot> mapped_root(const ContainerSpec& spec) {
    std::optional<MappedRoot> out;
    for (const auto& m : spec.uid_map)
        if (m.container_id == 0 && m.count > 0) out = MappedRoot{m.host_id, 0};
    if (!out) return out;
    for (const auto& m : spec.gid_map)
        if (m.container_id == 0 && m.count > 0) out->gid = m.host_id;
    return out;
}

Result<std::string> read_whole(const std::string& path) {
    std::ifstream f(path);
    if (!f) return fail_errno("reading {}", path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

Status write_new_file(const std::string& path, const std::string& text, mode_t mode) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd) return fail_errno("creating {}", path);
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno("writing {}", path);
        done += static_cast<size_t>(n);
    }
    return {};
}

std::string dirname_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

RootfsSource dir_source(std::string path) {
    return RootfsSource{RootfsSource::Kind::Dir, std::move(path), {}};
}

// `-t dir -- --dir DIR`: the existing rootfs, canonical.
Result<std::string> parse_dir_args(const std::vector<std::string>& args) {
    std::string dir;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--dir" && i + 1 < args.size()) {
            dir = args[++i];
        } else if (args[i].starts_with("--dir=")) {
            dir = args[i].substr(6);
        } else {
            return fail("template dir: unexpected argument '{}' (use: -t dir -- --dir DIR)",
                        args[i]);
        }
    }
    if (dir.empty()) return fail("template dir needs the rootfs: -t dir -- --dir DIR");
    char real[PATH_MAX];
    if (::realpath(dir.c_str(), real) == nullptr) return fail_errno("template dir: {}", dir);
    struct stat st {};
    if (::stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
        return fail("template dir: {} is not a directory", dir);
    if (std::string(real) == "/") return fail("template dir: refusing the host's / as a rootfs");
    return std::string(real);
}

Status mkdir_p(const std::string& path, mode_t mode) {
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        const std::string cur = path.substr(0, end);
        start = end + 1;
        if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST)
            return fail_errno("creating directory {}", cur);
    }
    return {};
}

Status run_external(const ResolvedTemplate& t, const state::ContainerPaths& paths,
                    const std::optional<MappedRoot>& mapped, const std::vector<std::string>& args,
                    InterruptGuard* interrupts) {
    ChildSpec spec;
    spec.argv = {t.executable, "--path",   paths.dir(),   "--name",
                 paths.name,   "--rootfs", paths.rootfs()};
    if (mapped) {
        spec.argv.insert(spec.argv.end(), {"--mapped-uid", std::to_string(mapped->uid),
                                           "--mapped-gid", std::to_string(mapped->gid)});
    }
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env_add = {"LXC_NAME=" + paths.name, "LXC_PATH=" + paths.dir(),
                    "LXC_ROOTFS_PATH=" + paths.rootfs(), "LXC_CONFIG_FILE=" + paths.config()};
    auto st = KISTE_TRY(run_child(spec, interrupts));
    if (st.shell_code() != 0)
        return fail("template {} ({}) failed with {} {}", t.name, t.executable,
                    st.signaled ? "signal" : "exit status", st.code);
    return {};
}

}  // namespace

std::string absolute_lxcpath(const std::string& lxcpath) {
    std::string p = lxcpath.empty() ? std::string(state::kDefaultLxcPath) : lxcpath;
    if (p.front() != '/') {
        char cwd[PATH_MAX];
        if (::getcwd(cwd, sizeof cwd) != nullptr) p = std::string(cwd) + "/" + p;
    }
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

Status create(const state::ContainerPaths& given, const CreateOptions& opt, Logger& log) {
    const state::ContainerPaths paths{absolute_lxcpath(given.lxcpath), given.name};
    KISTE_TRY(state::validate_name(paths.name));

    InterruptGuard guard;
    InterruptGuard* interrupts = nullptr;
    if (opt.handle_signals) {
        KISTE_TRY(guard.install());
        interrupts = &guard;
    }

    // Everything that can be checked before anything is made.
    const auto tpath = opt.template_path.empty() ? default_template_path() : opt.template_path;
    const ResolvedTemplate t = KISTE_TRY(find_template(opt.template_name, tpath));
    std::string dir_rootfs;
    DebianOptions debian;
    switch (t.kind) {
        case TemplateKind::None:
            if (!opt.template_args.empty())
                return fail("template none takes no arguments (got '{}')", opt.template_args[0]);
            break;
        case TemplateKind::Dir: dir_rootfs = KISTE_TRY(parse_dir_args(opt.template_args)); break;
        case TemplateKind::Debian: debian = KISTE_TRY(parse_debian_args(opt.template_args)); break;
        case TemplateKind::External: break;
    }
    ConfigPlan plan;
    plan.name = paths.name;
    plan.template_args = opt.template_args;
    plan.complete_hwaddr = net::complete_hwaddr;
    plan.template_desc = t.kind == TemplateKind::External
                             ? fmt::format("{} ({})", t.name, t.executable)
                             : fmt::format("{} (built into kiste)", t.name);
    std::optional<MappedRoot> mapped;
    bool base_has_rootfs = false;
    if (!opt.config_file.empty()) {
        auto base =
            KISTE_TRY_CTX(lxc::load_file(opt.config_file), "reading -f {}", opt.config_file);
        plan.base_text = KISTE_TRY(read_whole(opt.config_file));
        char real[PATH_MAX];
        plan.base_dir =
            dirname_of(::realpath(opt.config_file.c_str(), real) != nullptr ? std::string(real)
                                                                            : opt.config_file);
        for (const auto& [key, origin] : base.origins) plan.base_keys.insert(key);
        mapped = mapped_root(base.spec);
        base_has_rootfs = base.spec.rootfs.source.kind != RootfsSource::Kind::None;
    }
    if (mapped && t.kind == TemplateKind::Debian)
        return fail(
            "the debian template builds trees owned by host root: it cannot create a container "
            "with lxc.idmap (create it privileged, or shift the tree's owners yourself)");
    switch (t.kind) {
        case TemplateKind::External:
        case TemplateKind::Debian:
            plan.rootfs = dir_source(paths.rootfs());
            plan.managed = ConfigPlan::Managed::Reset;
            break;
        case TemplateKind::Dir:
            plan.rootfs = dir_source(dir_rootfs);
            plan.managed = ConfigPlan::Managed::ForceZero;
            break;
        case TemplateKind::None:
            // As lxc-create -t none: -f's rootfs is kept (kiste did not make
            // it); without one, the container gets an empty LXCPATH/NAME/rootfs.
            // A config without a rootfs would boot the host's own init.
            if (base_has_rootfs) {
                plan.managed = ConfigPlan::Managed::ZeroUnlessSet;
            } else {
                plan.rootfs = dir_source(paths.rootfs());
                plan.managed = ConfigPlan::Managed::Reset;
            }
            break;
    }
    if (interrupts != nullptr) KISTE_TRY(interrupts->check());

    // From here on, what is made is unmade on failure (scope exits run in
    // reverse: the container directory first, then a container path made
    // for it when it is empty).
    struct stat st {};
    const bool made_lxcpath = ::stat(paths.lxcpath.c_str(), &st) < 0;
    if (made_lxcpath) KISTE_TRY(mkdir_p(paths.lxcpath, 0755));
    bool done = false;
    ScopeExit drop_lxcpath([&] {
        if (!done && made_lxcpath) ::rmdir(paths.lxcpath.c_str());
    });

    // The lock's root as every other verb computes it: from -P as given.
    auto lock = state::NameLock::acquire(given.run_root(), paths.name);
    if (!lock && lock.error().code() == EBUSY)
        return fail(
            Error::msg(fmt::format("container {} is busy: running, or being created or "
                                   "destroyed by another kiste",
                                   paths.name)));
    if (!lock) return std::unexpected(lock.error());

    if (::mkdir(paths.dir().c_str(), 0770) < 0) {
        if (errno != EEXIST) return fail_errno("creating {}", paths.dir());
        if (::stat(paths.config().c_str(), &st) == 0)
            return fail(Error::msg(
                fmt::format("container {} already exists in {}", paths.name, paths.lxcpath)));
        return fail(
            Error::msg(fmt::format("{} exists but holds no container (no config): "
                                   "remove it or choose another name",
                                   paths.dir())));
    }
    ScopeExit rollback([&] {
        if (done) return;
        if (auto r = remove_tree_checked(paths.dir()); !r)
            log.error("create failed, and cleaning up failed too: {}", r.error().message());
    });
    // The mode is exact whatever the umask: root (or the mapped root) only.
    if (::chmod(paths.dir().c_str(), 0770) < 0) return fail_errno("chmod {}", paths.dir());
    if (mapped && ::chown(paths.dir().c_str(), mapped->uid, mapped->gid) < 0)
        return fail_errno("chown {} to the container's root", paths.dir());
    // LXC's marker of a container being made (lxc-ls and lxc-destroy know it).
    const std::string partial = paths.dir() + "/partial";
    KISTE_TRY(write_new_file(partial, "", 0600));

    KISTE_TRY(write_new_file(paths.config(), compose_config(plan), 0640));
    if (t.kind == TemplateKind::External || t.kind == TemplateKind::Debian ||
        (t.kind == TemplateKind::None && !base_has_rootfs)) {
        if (::mkdir(paths.rootfs().c_str(), 0755) < 0)
            return fail_errno("creating {}", paths.rootfs());
        if (::chmod(paths.rootfs().c_str(), 0755) < 0)
            return fail_errno("chmod {}", paths.rootfs());
        if (mapped && ::chown(paths.rootfs().c_str(), mapped->uid, mapped->gid) < 0)
            return fail_errno("chown {} to the container's root", paths.rootfs());
    }

    switch (t.kind) {
        case TemplateKind::External:
            KISTE_TRY(run_external(t, paths, mapped, opt.template_args, interrupts));
            break;
        case TemplateKind::Debian:
            KISTE_TRY(build_debian(
                {.name = paths.name, .config = paths.config(), .rootfs = paths.rootfs()}, debian,
                interrupts, opt.progress, log));
            break;
        case TemplateKind::None:
        case TemplateKind::Dir: break;
    }

    // The template may have appended keys: the result must be a config kiste reads.
    auto final_cfg = lxc::load_file(paths.config());
    if (!final_cfg)
        return fail(std::move(final_cfg.error())
                        .context(fmt::format("the config after the {} template", t.name)));
    if (interrupts != nullptr) KISTE_TRY(interrupts->check());
    if (::unlink(partial.c_str()) < 0) return fail_errno("removing {}", partial);
    done = true;
    log.info("created container {} in {}", paths.name, paths.lxcpath);
    return {};
}

}  // namespace kiste::tmpl
