// File access inside one cgroup directory, by directory fd: controllers use
// these, so unit tests point them at a temp dir. Errors name the file (as
// "DIR/FILE" when the dir's path is known) and carry the kernel's errno.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste::cgroup {

// An open cgroup directory and its path (for messages).
struct Dir {
    UniqueFd fd;
    std::string path;
    [[nodiscard]] int get() const { return fd.get(); }
    [[nodiscard]] std::string file(const std::string& name) const { return path + "/" + name; }
};

Result<Dir> open_dir(const std::string& path);
Result<Dir> open_subdir(const Dir& parent, const std::string& name);

// One read of a control file; a trailing newline is dropped.
Result<std::string> read_file(const Dir& d, const std::string& name);
// The value in one write(2), as the kernel wants it.
Status write_file(const Dir& d, const std::string& name, const std::string& value);
bool file_exists(const Dir& d, const std::string& name);

// "key value" lines (memory.stat, cgroup.events, cpu.stat): the value of key.
std::optional<uint64_t> keyed_value(const std::string& text, std::string_view key);

// Creates `rel` (slash-separated) below `base`, each missing component with
// mkdir; calls on_created(parent, child) for each component it made (the
// unit tests' stand-in kernel). `created` receives the absolute paths made.
// A component that vanishes between mkdir and open (a concurrent destroy
// removing an empty kiste.payload) is made again.
Status mkdir_path(const std::string& base, const std::string& rel,
                  const std::function<Status(const Dir& parent, const Dir& child)>& on_created,
                  std::vector<std::string>* created = nullptr);

// The subdirectories of `path`, deepest first, `path` last (the rmdir order).
Result<std::vector<std::string>> tree_post_order(const std::string& path);

// The pids in cgroup.procs of `path` and all its subdirectories.
Result<std::vector<pid_t>> procs_recursive(const std::string& path);

// rmdir of every dir of the tree, deepest first. A missing tree is fine.
// EBUSY (tasks still exiting) is retried for up to `busy_ms`.
Status remove_tree(const std::string& path, int busy_ms);

bool dir_exists(const std::string& path);

}  // namespace kiste::cgroup
