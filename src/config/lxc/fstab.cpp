// fstab lines and mount options, as LXC's conf.c reads them (mount_opt and
// propagation_opt tables, plus optional / create= / relative).
#include "config/lxc/fstab.hpp"

#include <sys/mount.h>

#include "config/lxc/values.hpp"

namespace kiste::lxc::detail {

namespace {

struct FlagOpt {
    std::string_view name;
    bool clear;  // the option clears the flag ("rw" clears MS_RDONLY)
    unsigned long flag;
};
constexpr FlagOpt kFlagOpts[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"lazytime", false, MS_LAZYTIME},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
    {"silent", false, MS_SILENT},
    {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION},
};
constexpr FlagOpt kPropagation[] = {
    {"private", false, MS_PRIVATE},
    {"shared", false, MS_SHARED},
    {"slave", false, MS_SLAVE},
    {"unbindable", false, MS_UNBINDABLE},
    {"rprivate", false, MS_PRIVATE | MS_REC},
    {"rshared", false, MS_SHARED | MS_REC},
    {"rslave", false, MS_SLAVE | MS_REC},
    {"runbindable", false, MS_UNBINDABLE | MS_REC},
};
// fstab(5)/mount(8) options that only matter to mount(8) itself.
constexpr std::string_view kUserspaceOnly[] = {"auto",    "noauto", "user",  "nouser", "users",
                                               "_netdev", "nofail", "owner", "group"};

// fstab's octal escapes: \040 (blank), \011 (tab), \012 (newline), \134 (backslash).
std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' &&
            s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            out +=
                static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

Result<ParsedMountOptions> parse_mount_options(std::string_view opts) {
    ParsedMountOptions out;
    std::vector<std::string_view> data;
    for (auto raw : split_on(opts, ',')) {
        std::string_view o = trim(raw);
        if (o.empty()) continue;
        bool known = false;
        for (const auto& f : kFlagOpts) {
            if (f.name != o) continue;
            if (f.clear)
                out.flags &= ~f.flag;
            else
                out.flags |= f.flag;
            known = true;
        }
        for (const auto& p : kPropagation) {
            if (p.name != o) continue;
            out.propagation |= p.flag;
            known = true;
        }
        for (auto u : kUserspaceOnly) known = known || u == o;
        if (known) continue;
        if (o == "optional") {
            out.optional = true;
        } else if (o == "relative") {
            out.relative = true;
        } else if (o.starts_with("create=")) {
            std::string_view what = o.substr(7);
            if (what == "dir")
                out.create = MountEntry::Create::Dir;
            else if (what == "file")
                out.create = MountEntry::Create::File;
            else
                return fail("unknown option '{}' (expected create=dir or create=file)", o);
        } else {
            data.push_back(o);  // filesystem-specific: size=, mode=, uid=, ...
        }
    }
    for (auto d : data) {
        if (!out.data.empty()) out.data += ',';
        out.data += d;
    }
    return out;
}

Result<MountEntry> parse_fstab_line(std::string_view line, std::string_view origin) {
    auto f = split_blanks(line);
    if (f.size() < 3 || f.size() > 6)
        return fail("expected 'SOURCE TARGET FSTYPE [OPTIONS [DUMP [PASS]]]' (fstab(5) format)");
    for (size_t i = 4; i < f.size(); ++i)
        if (!parse_u64(f[i])) return fail("the dump and pass fields must be numbers");
    MountEntry e;
    e.source = unescape(f[0]);
    e.target = unescape(f[1]);
    e.fstype = unescape(f[2]);
    auto opts = KISTE_TRY(parse_mount_options(f.size() > 3 ? f[3] : "defaults"));
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
