// The LXC configuration language: today's lxc.container.conf(5) keys plus the
// legacy (LXC 0.7 .. 2.0) spellings, parsed into an LxcConfig and resolved
// into the runtime's ContainerSpec by to_spec().
//
// An LxcConfig is the parsed file. Keys whose meaning is clear are written
// straight into `spec`; the rest (lists whose textual form matters, values
// that only make sense after all keys are known, and keys only the manager
// uses) are kept here in their LXC form, and to_spec() resolves them.
//
// Every key is defined once in a declarative table (keys_*.cpp) with a set,
// a get and a clear function, so `kiste config -f FILE KEY`, `-s KEY=VALUE`
// and clearing with an empty value all use the same code.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiste/error.hpp"
#include "kiste/spec.hpp"

namespace kiste::lxc {

// A value together with where it was set ("file:line", "command line").
struct OriginValue {
    std::string value;
    std::string origin;
    bool operator==(const OriginValue&) const = default;
};

struct LxcConfig {
    ContainerSpec spec;

    // ---- process (init.cmd / execute.cmd are split into argv by to_spec)
    std::string init_cmd;     // lxc.init.cmd (lxc-start's init; default /sbin/init)
    std::string execute_cmd;  // lxc.execute.cmd (lxc-execute's default command)
    std::vector<std::pair<std::string, std::string>> proc;  // lxc.proc.NAME = VALUE
    std::vector<OriginValue> environment;                   // "VAR=VALUE" or "VAR"
    std::optional<bool> sched_core;                         // lxc.sched.core

    // ---- network: lxc.net.N (sparse indexes allowed, as in LXC)
    std::map<unsigned, NetInterface> net;
    // The interface the legacy lxc.network.* keys apply to: the one the last
    // lxc.network.type line started.
    std::optional<unsigned> legacy_net_current;

    // ---- rootfs: lxc.rootfs.path as written (`kiste config` prints it back);
    // spec.rootfs.source holds what it says.
    std::string rootfs_path;

    // ---- mounts and /dev
    std::string mount_fstab;                 // lxc.mount.fstab as written
    std::string mount_fstab_resolved;        // relative to the directory of the file that set it
    std::vector<OriginValue> mount_entries;  // lxc.mount.entry lines, in order
    std::vector<std::string> mount_auto;     // lxc.mount.auto tokens, in order
    std::optional<uint64_t> autodev_tmpfs_size;

    // ---- security
    std::vector<std::string> cap_drop;                 // canonical: lower case, no "cap_"
    std::optional<std::vector<std::string>> cap_keep;  // set but empty: "none" (keep nothing)

    // ---- namespaces: names as in /proc/PID/ns ("mnt", "net", ...)
    std::optional<std::vector<std::string>> ns_clone;
    std::vector<std::string> ns_keep;
    std::map<std::string, std::string> ns_share;  // "net" -> "42" | "/path" | "c3"

    // ---- hooks: "pre-start" -> commands (shell command lines), in order
    std::map<std::string, std::vector<OriginValue>> hooks;

    // ---- manager-only keys (lxc-start / lxc-autostart / the monitor)
    bool start_auto = false;
    int64_t start_delay = 0;
    int64_t start_order = 0;
    std::vector<std::string> groups;
    bool monitor_unshare = false;
    std::optional<int> monitor_signal_pdeath;
    std::string log_file;
    std::string log_level;
    std::string log_syslog;

    // ---- bookkeeping
    std::vector<std::string> includes;  // files read through lxc.include, in order
    // The origin of the last assignment of each key (today's name).
    std::map<std::string, std::string> origins;
    // Things worth telling the user that are not errors ("file:3: lxc.pivotdir
    // is obsolete and ignored").
    std::vector<std::string> notes;
    std::string config_file;  // the top-level file, empty for load_string
};

// Reads a config file, following lxc.include (files, and directories whose
// *.conf files are read in sorted order; a relative include is relative to
// the including file). An include loop is an error. Errors name file:line,
// the key and the reason.
Result<LxcConfig> load_file(const std::string& path);

// Parses config text; `origin_name` names it in errors ("origin:line") and
// its directory anchors relative includes.
Result<LxcConfig> load_string(std::string_view text, const std::string& origin_name);

// Sets one key as a config line would (legacy names accepted; an empty value
// clears, as in LXC). `origin` is recorded for errors ("file:line",
// "command line"; empty: errors carry no origin).
Status set_key(LxcConfig& cfg, std::string_view key, std::string_view value,
               const std::string& origin);

// `-s KEY=VALUE`. LXC's -s feeds the text through the config-line parser
// (lxc_config_define_load -> parse_line), i.e. it is exactly one more config
// line after the file: a scalar key is replaced, a list key (lxc.cap.drop,
// lxc.mount.entry, lxc.environment, ...) gets the value appended, and an
// empty value clears the list. kiste does the same, with origin "command line".
Status apply_override(LxcConfig& cfg, std::string_view key_equals_value);

// A key's current value in config syntax; list keys give one value per line.
// An unknown key is an error with a suggestion.
Result<std::string> get_key(const LxcConfig& cfg, std::string_view key);

// Resets a key to its default (lists: empty).
Status clear_key(LxcConfig& cfg, std::string_view key);

// The config text with legacy keys renamed to today's (comments, blank lines
// and everything else kept; each `lxc.network.type` starts the next
// lxc.net.N). Does not follow includes. Unknown keys are errors.
Result<std::string> convert_legacy(std::string_view text, const std::string& origin);

// What the LxcConfig means to the runtime. `Execute` takes the command from
// lxc.execute.cmd (empty when unset: the caller supplies it) and runs it
// under kiste's init, like lxc-execute; `Start` boots lxc.init.cmd (default
// /sbin/init) as PID 1. Errors name the key and its file:line.
enum class Purpose { Execute, Start };
Result<ContainerSpec> to_spec(const LxcConfig& cfg, Purpose purpose = Purpose::Execute);

// A command line split like the shell does for words: blanks separate,
// '...' and "..." quote, a backslash escapes (not inside '...'). No
// expansion of any kind.
Result<std::vector<std::string>> split_command(std::string_view command);

// Every key name kiste knows (today's names; pattern keys with a placeholder,
// e.g. "lxc.cgroup.<controller>.<file>"), sorted. For completion and docs.
std::vector<std::string> known_keys();

}  // namespace kiste::lxc
