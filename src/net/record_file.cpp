#include "net/record_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/json.hpp"
#include "net/network.hpp"

namespace kiste::net {

namespace {
constexpr std::string_view kSuffix = ".net.json";
}

std::string record_file(const std::string& run_root, const std::string& name) {
    return run_root + "/" + name + std::string(kSuffix);
}

Status save_record_file(const std::string& path, const HostRecord& r) {
    if (r.empty()) {
        if (::unlink(path.c_str()) < 0 && errno != ENOENT) return fail_errno("removing {}", path);
        return {};
    }
    const std::string dir = path.substr(0, path.rfind('/'));
    if (::mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) return fail_errno("creating {}", dir);
    const std::string text = json_text(to_json(r)) + "\n";
    const std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail_errno("writing {}", tmp);
    ssize_t n = ::write(fd, text.data(), text.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(text.size())) return fail_errno("writing {}", tmp);
    if (::rename(tmp.c_str(), path.c_str()) < 0) return fail_errno("renaming {}", tmp);
    return {};
}

Result<HostRecord> load_record_file(const std::string& path) {
    std::ifstream f(path);
    if (!f) return fail_errno("reading {}", path);
    std::stringstream ss;
    ss << f.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_discarded()) return fail("{}: not valid JSON", path);
    return record_from_json(j);
}

void cleanup_stale_records(const std::string& run_root,
                           const std::function<bool(const std::string&)>& alive, Logger& log) {
    DIR* d = ::opendir(run_root.c_str());
    if (d == nullptr) return;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > kSuffix.size() && n.ends_with(kSuffix))
            names.push_back(n.substr(0, n.size() - kSuffix.size()));
    }
    ::closedir(d);
    for (const auto& name : names) {
        if (alive(name)) continue;
        const std::string path = record_file(run_root, name);
        auto rec = load_record_file(path);
        if (!rec) {
            log.warn("{}", rec.error().message());
            continue;
        }
        log.info("undoing the network setup of a killed run of {}", name);
        cleanup_record(*rec, log, [&] { return save_record_file(path, *rec); });
        if (auto st = save_record_file(path, *rec); !st) log.warn("{}", st.error().message());
    }
}

}  // namespace kiste::net
