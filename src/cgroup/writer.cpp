#include "cgroup/writer.hpp"

#include <cerrno>

#include "cgroup/settings.hpp"

namespace kiste::cgroup {

FileWriter::FileWriter(Dir dir, std::vector<std::string>& notes, WhyMissing why)
    : dir_(std::move(dir)), notes_(notes), why_(std::move(why)) {}

FileWriter::FileWriter(std::string path, std::string unmounted, std::vector<std::string>& notes)
    : path_(std::move(path)), unmounted_(std::move(unmounted)), notes_(notes) {}

FileWriter FileWriter::at(std::string path, std::vector<std::string>& notes) {
    return FileWriter(std::move(path), {}, notes);
}

FileWriter FileWriter::unmounted(std::string why, std::vector<std::string>& notes) {
    return FileWriter({}, std::move(why), notes);
}

Status FileWriter::open() {
    if (dir_) return {};
    if (path_.empty()) return fail("{}", unmounted_);
    dir_ = KISTE_TRY(open_dir(path_));
    return {};
}

bool FileWriter::has(const std::string& file) {
    return open() && file_exists(*dir_, file);
}

const Dir* FileWriter::dir() {
    return open() ? &*dir_ : nullptr;
}

Status FileWriter::try_write(const std::string& file, const std::string& value) {
    KISTE_TRY(open());
    return write_file(*dir_, file, value);
}

Status FileWriter::write(const std::string& file, const std::string& value,
                         const std::string& source) {
    auto st = try_write(file, value);
    if (st) return st;
    if (dir_ && st.error().code() == ENOENT && !file_exists(*dir_, file)) {
        notes_.push_back(unapplied_note(source, file, why_ ? why_(*dir_, file) : std::string()));
        return {};
    }
    return fail(std::move(st.error()).context(source));
}

}  // namespace kiste::cgroup
