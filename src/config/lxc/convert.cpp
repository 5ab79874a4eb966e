// convert_legacy: rewrites legacy keys to today's names line by line,
// keeping comments, blank lines, indentation and every other line as it is.
// lxc.network.* lines get the interface index the loader would give them
// (each lxc.network.type starts the next free lxc.net.N), so the converted
// file means exactly what the original meant. A line that cannot be
// converted is kept with a warning (convert_config) or is an error
// (convert_legacy).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <set>

#include "base/scope_exit.hpp"
#include "base/unique_fd.hpp"
#include "config/lxc/convert.hpp"
#include "config/lxc/keys.hpp"
#include "config/lxc/legacy.hpp"

namespace kiste::lxc {

using namespace detail;

Conversion convert_config(std::string_view text, const std::string& origin) {
    Conversion conv;
    std::string& out = conv.text;
    std::set<unsigned> ifaces;  // lxc.net indexes in use at this line
    long current = -1;          // the interface lxc.network.* lines apply to
    size_t lineno = 0;
    auto lines = split_on(text, '\n');
    for (size_t li = 0; li < lines.size(); ++li) {
        std::string_view raw = lines[li];
        ++lineno;
        if (li) out += '\n';
        std::string_view line = trim(raw);
        size_t eq = line.find('=');
        if (line.empty() || line.front() == '#' || eq == std::string_view::npos) {
            out += raw;  // comments, blank lines (and malformed lines: load reports them)
            continue;
        }
        const std::string where = fmt::format("{}:{}", origin, lineno);
        std::string_view indent = raw.substr(0, raw.find_first_not_of(" \t"));
        std::string_view key = trim(line.substr(0, eq));
        std::string_view value = trim(line.substr(eq + 1));
        auto emit = [&](std::string_view new_key) {
            out += indent;
            out += new_key;
            out += value.empty() ? " =" : " = ";
            out += value;
        };

        if (is_legacy_network(key)) {
            auto ln = parse_legacy_network(key);
            if (!ln) {
                conv.warnings.push_back(fmt::format("{}: {}", where, unknown_key_message(key)));
                out += raw;
                continue;
            }
            if (ln->sub.empty() || (ln->sub == "type" && !ln->index && value.empty())) {
                emit("lxc.net");
                ifaces.clear();
                current = -1;
                continue;
            }
            unsigned idx = 0;
            if (ln->index) {
                idx = *ln->index;
            } else if (ln->sub == "type") {
                idx = ifaces.empty() ? 0 : *ifaces.rbegin() + 1;
                current = idx;
            } else if (current >= 0) {
                idx = static_cast<unsigned>(current);
            } else {
                conv.warnings.push_back(fmt::format(
                    "{}: {}: no network interface yet (an lxc.network.type line must come first)",
                    where, key));
                out += raw;
                continue;
            }
            ifaces.insert(idx);
            emit(fmt::format("lxc.net.{}.{}", idx, ln->sub));
            continue;
        }
        if (is_obsolete_key(key)) {
            out += indent;
            out += fmt::format("# obsolete (LXC 2.1 removed it): {}", line);
            continue;
        }
        if (auto m = modern_key(key)) {
            emit(*m);
            continue;
        }
        // Today's keys stay as they are; track lxc.net.N for later legacy lines.
        std::string_view rest;
        if (key != "lxc.include" && !find_key(key, &rest)) {
            conv.warnings.push_back(fmt::format("{}: {}", where, unknown_key_message(key)));
            out += raw;
            continue;
        }
        if (key == "lxc.net") {
            ifaces.clear();
            current = -1;
        } else if (key.starts_with("lxc.net.") || key.starts_with("kiste.net.")) {
            auto n = parse_u32(split_on(rest, '.').front());
            if (n) ifaces.insert(*n);
        }
        out += raw;
    }
    return conv;
}

Result<std::string> convert_legacy(std::string_view text, const std::string& origin) {
    Conversion conv = convert_config(text, origin);
    if (!conv.warnings.empty()) return fail("{}", conv.warnings.front());
    return std::move(conv.text);
}

Result<std::string> read_config_text(const std::string& path) {
    return read_text_file(path);
}

namespace {

// Writes `text` to a new file beside `target` with `st`'s mode and owner,
// and renames it over `target`.
Status write_beside(const std::string& target, std::string_view text, const struct stat& st) {
    std::string tmp = target + ".kiste-XXXXXX";
    UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
    if (!fd) return fail_errno("cannot create a temporary file beside '{}'", target);
    ScopeExit remove_tmp([&] { ::unlink(tmp.c_str()); });
    if (::fchmod(fd.get(), st.st_mode & 07777) != 0)
        return fail_errno("cannot set the mode of '{}'", tmp);
    // Keeping the owner needs the right to chown; a user converting a file
    // of their own keeps it anyway.
    if ((st.st_uid != ::geteuid() || st.st_gid != ::getegid()) &&
        ::fchown(fd.get(), st.st_uid, st.st_gid) != 0 && errno != EPERM)
        return fail_errno("cannot set the owner of '{}'", tmp);
    for (size_t done = 0; done < text.size();) {
        ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno("cannot write '{}'", tmp);
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return fail_errno("cannot write '{}'", tmp);
    if (::rename(tmp.c_str(), target.c_str()) != 0)
        return fail_errno("cannot replace '{}'", target);
    remove_tmp.dismiss();
    return {};
}

}  // namespace

Status replace_config_file(const std::string& path, std::string_view text) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) return fail_errno("cannot resolve '{}'", path);
    const std::string target = buf;
    struct stat st {};
    if (::stat(target.c_str(), &st) != 0) return fail_errno("cannot read '{}'", target);
    if (!S_ISREG(st.st_mode)) return fail("cannot rewrite '{}': not a regular file", target);
    std::string old = KISTE_TRY(read_text_file(target));
    KISTE_TRY(write_beside(target + ".backup", old, st));
    KISTE_TRY(write_beside(target, text, st));
    // The rename is durable once the directory is.
    UniqueFd dir(::open(dir_name(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir || ::fsync(dir.get()) != 0)
        return fail_errno("cannot sync the directory of '{}'", target);
    return {};
}

}  // namespace kiste::lxc
