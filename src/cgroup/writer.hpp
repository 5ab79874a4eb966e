// Writes the files of one cgroup directory for the controller writers
// (cgroup/v1/controllers.hpp, cgroup/v2/controllers.hpp): a file this
// cgroup lacks (ENOENT: the kernel lacks what the key sets) becomes a note
// and is skipped; other errors name the value's source. Without a
// directory (the controller is not mounted) every write fails naming why.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cgroup/fs.hpp"
#include "kiste/error.hpp"

namespace kiste::cgroup {

class FileWriter {
public:
    // `why_missing(file)`: the reason a file is absent, for the note (empty:
    // the default reasons of unapplied_note).
    using WhyMissing = std::function<std::string(const Dir&, const std::string& file)>;

    FileWriter(Dir dir, std::vector<std::string>& notes, WhyMissing why = {});
    // The cgroup at `path`, opened at the first write (a controller with
    // nothing to write costs no syscall).
    static FileWriter at(std::string path, std::vector<std::string>& notes);
    // A controller that is not mounted: every write fails with `why`.
    static FileWriter unmounted(std::string why, std::vector<std::string>& notes);

    // `value` into `file`; see above. `source`: "config:3: lxc.cgroup.pids.max = 10".
    Status write(const std::string& file, const std::string& value, const std::string& source);
    // The write alone, its error unexplained (for a caller that retries).
    Status try_write(const std::string& file, const std::string& value);
    [[nodiscard]] bool has(const std::string& file);
    void note(std::string text) { notes_.push_back(std::move(text)); }
    // The open directory; nullptr when it cannot be opened.
    [[nodiscard]] const Dir* dir();

private:
    FileWriter(std::string path, std::string unmounted, std::vector<std::string>& notes);
    Status open();

    std::optional<Dir> dir_;
    std::string path_;  // to open at the first write
    std::string unmounted_;
    std::vector<std::string>& notes_;
    WhyMissing why_;
};

}  // namespace kiste::cgroup
