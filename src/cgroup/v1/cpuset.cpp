#include "cgroup/resources.hpp"
#include "cgroup/v1/controllers.hpp"

namespace kiste::cgroup::v1::cpuset {

Status inherit(const Dir& parent, const Dir& child) {
    for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
        auto mine = KISTE_TRY(read_file(child, file));
        if (!mine.empty()) continue;
        auto value = KISTE_TRY(read_file(parent, file));
        if (value.empty()) {
            // The parent may itself rely on its effective set (cpuset_v2_mode).
            const std::string eff = std::string("cpuset.effective_") + (file + 7);
            if (file_exists(parent, eff)) value = KISTE_TRY(read_file(parent, eff));
        }
        if (value.empty())
            return fail("{} is empty; cannot initialise {}", parent.file(file), child.path);
        KISTE_TRY(write_file(child, file, value));
    }
    return {};
}

Status inherit_down(const std::string& base, const std::string& rel) {
    Dir parent = KISTE_TRY(open_dir(base));
    size_t start = 0;
    while (start < rel.size()) {
        size_t end = rel.find('/', start);
        if (end == std::string::npos) end = rel.size();
        Dir child = KISTE_TRY(open_subdir(parent, rel.substr(start, end - start)));
        KISTE_TRY(inherit(parent, child));
        parent = std::move(child);
        start = end + 1;
    }
    return {};
}

}  // namespace kiste::cgroup::v1::cpuset

namespace kiste::cgroup::v1::cpuset {

Status apply(FileWriter& w, const Resources& r) {
    if (!r.cpuset_cpus.empty())
        KISTE_TRY(w.write("cpuset.cpus", r.cpuset_cpus,
                          source_of(r, "cpuset_cpus", "cpuset.cpus", r.cpuset_cpus)));
    if (!r.cpuset_mems.empty())
        KISTE_TRY(w.write("cpuset.mems", r.cpuset_mems,
                          source_of(r, "cpuset_mems", "cpuset.mems", r.cpuset_mems)));
    return {};
}

}  // namespace kiste::cgroup::v1::cpuset
