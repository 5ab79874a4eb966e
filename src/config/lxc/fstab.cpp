// fstab lines as LXC's conf.c reads them; the options go through the one
// mount option table (rootfs/options.hpp).
#include "config/lxc/fstab.hpp"

#include "base/octal_escape.hpp"
#include "config/lxc/values.hpp"
#include "rootfs/options.hpp"

namespace kiste::lxc::detail {

Result<MountEntry> parse_fstab_line(std::string_view line, std::string_view origin) {
    auto f = split_blanks(line);
    if (f.size() < 3 || f.size() > 6)
        return fail("expected 'SOURCE TARGET FSTYPE [OPTIONS [DUMP [PASS]]]' (fstab(5) format)");
    for (size_t i = 4; i < f.size(); ++i)
        if (!parse_u64(f[i])) return fail("the dump and pass fields must be numbers");
    MountEntry e;
    e.source = unescape_octal(f[0]);
    e.target = unescape_octal(f[1]);
    e.fstype = unescape_octal(f[2]);
    auto opts = KISTE_TRY(rootfs::parse_mount_options(f.size() > 3 ? f[3] : "defaults"));
    e.flags = opts.flags;
    e.propagation = opts.propagation;
    e.data = std::move(opts.data);
    e.optional = opts.optional;
    e.relative_source = opts.relative;
    e.create = opts.create;
    e.origin = std::string(origin);
    return e;
}

Result<std::vector<MountEntry>> parse_fstab_text(std::string_view text, std::string_view name) {
    std::vector<MountEntry> out;
    size_t lineno = 0;
    for (auto raw : split_on(text, '\n')) {
        ++lineno;
        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') continue;
        std::string origin = fmt::format("{}:{}", name, lineno);
        auto e = parse_fstab_line(line, origin);
        if (!e) return fail("{}: {}", origin, e.error().message(false));
        out.push_back(std::move(*e));
    }
    return out;
}

Status check_mount_auto_token(std::string_view t) {
    constexpr std::string_view kSimple[] = {"proc",      "proc:mixed", "proc:rw", "sys",
                                            "sys:mixed", "sys:ro",     "sys:rw"};
    for (auto s : kSimple)
        if (s == t) return {};
    for (std::string_view base : {"cgroup", "cgroup-full"}) {
        if (!t.starts_with(base)) continue;
        std::string_view rest = t.substr(base.size());
        if (rest.empty()) return {};
        for (std::string_view mode : {":mixed", ":ro", ":rw"}) {
            if (rest == mode) return {};
            if (rest.starts_with(mode) && rest.substr(mode.size()) == ":force") return {};
        }
        if (rest == ":force") return {};
    }
    if (t.starts_with("shmounts:") && t.size() > 9) return {};
    return fail(
        "unknown lxc.mount.auto token '{}' (expected proc[:mixed|:rw], sys[:mixed|:ro|:rw], "
        "cgroup[:mixed|:ro|:rw][:force], cgroup-full[...] or shmounts:HOST[:CONTAINER])",
        t);
}

}  // namespace kiste::lxc::detail
