#include "cgroup/writer.hpp"

#include <cerrno>

#include "cgroup/settings.hpp"

namespace kiste::cgroup {

FileWriter::FileWriter(Dir dir, std::vector<std::string>& notes, WhyMissing why)
    : dir_(std::move(dir)), notes_(notes), why_(std::move(why)) {}

FileWriter::FileWriter(std::string unmounted, std::vector<std::string>& notes)
    : unmounted_(std::move(unmounted)), notes_(notes) {}

bool FileWriter::has(const std::string& file) const {
    return dir_ && file_exists(*dir_, file);
}

Status FileWriter::try_write(const std::string& file, const std::string& value) {
    if (!dir_) return fail("{}", unmounted_);
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
