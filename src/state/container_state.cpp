#include "state/container_state.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "base/json.hpp"
#include "base/parse_number.hpp"
#include "cgroup/cgroup.hpp"
#include "state/run_lock.hpp"

namespace kiste::state {

namespace {
constexpr std::array<const char*, 6> kStateNames = {"STOPPED",  "STARTING", "RUNNING",
                                                    "STOPPING", "ABORTING", "FROZEN"};

// FNV-1a: a stable, short key for a non-default container path.
uint32_t fnv1a(std::string_view s) {
    uint32_t h = 2166136261U;
    for (unsigned char c : s) {
        h ^= c;
        h *= 16777619U;
    }
    return h;
}
}  // namespace

const char* state_name(State s) {
    return kStateNames.at(static_cast<size_t>(s));
}

std::optional<State> parse_state(std::string_view s) {
    std::string up(s);
    std::transform(up.begin(), up.end(), up.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    for (size_t i = 0; i < kStateNames.size(); ++i)
        if (up == kStateNames[i]) return static_cast<State>(i);
    return std::nullopt;
}

std::string ContainerPaths::run_root() const {
    std::string root = state::run_root();
    if (lxcpath == kDefaultLxcPath) return root;
    return fmt::format("{}/p-{:08x}", root, fnv1a(lxcpath));
}

Status write_state(const ContainerPaths& p, const RuntimeState& s) {
    nlohmann::json j = {
        {"state", state_name(s.state)},
        {"init_pid", s.init_pid},
        {"init_start_time", s.init_start_time},
        {"monitor_pid", s.monitor_pid},
        {"monitor_start_time", s.monitor_start_time},
        {"cgroup_paths", s.cgroup_paths},
        {"monitor_cgroup_paths", s.monitor_cgroup_paths},
        {"host_netdevs", s.host_netdevs},
        {"net", net::to_json(s.net)},
        {"ttys", s.ttys},
        {"config_file", s.config_file},
        {"log_file", s.log_file},
        {"last_exit", s.last_exit},
    };
    std::string text = json_text(j) + "\n";
    std::string tmp = p.state_file() + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail_errno("writing {}", tmp);
    ssize_t n = ::write(fd, text.data(), text.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(text.size())) return fail_errno("writing {}", tmp);
    // Readers see the old or the new file, never half of one.
    if (::rename(tmp.c_str(), p.state_file().c_str()) < 0)
        return fail_errno("renaming {} to {}", tmp, p.state_file());
    return {};
}

Result<std::optional<RuntimeState>> read_state(const ContainerPaths& p) {
    std::ifstream f(p.state_file());
    if (!f) return std::optional<RuntimeState>{};
    std::stringstream ss;
    ss << f.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("{}: not valid JSON", p.state_file());
    RuntimeState s;
    s.state = parse_state(json_field(j, "state", "STOPPED")).value_or(State::Stopped);
    s.init_pid = json_field(j, "init_pid", 0);
    s.init_start_time = json_field(j, "init_start_time", uint64_t{0});
    s.monitor_pid = json_field(j, "monitor_pid", 0);
    s.monitor_start_time = json_field(j, "monitor_start_time", uint64_t{0});
    s.cgroup_paths = json_field(j, "cgroup_paths", std::vector<std::string>{});
    s.monitor_cgroup_paths = json_field(j, "monitor_cgroup_paths", std::vector<std::string>{});
    s.host_netdevs = json_field(j, "host_netdevs", std::vector<std::string>{});
    if (j.contains("net")) s.net = net::record_from_json(j["net"]);
    s.ttys = json_field(j, "ttys", std::vector<std::string>{});
    s.config_file = json_field(j, "config_file", "");
    s.log_file = json_field(j, "log_file", "");
    s.last_exit = json_field(j, "last_exit", -1);
    return std::optional<RuntimeState>{std::move(s)};
}

uint64_t process_start_time(pid_t pid) {
    if (pid <= 0) return 0;
    std::ifstream f(fmt::format("/proc/{}/stat", pid));
    std::string line;
    if (!std::getline(f, line)) return 0;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    // Field 3 is the state; the start time is field 22.
    for (int i = 3; i <= 22; ++i)
        if (!(rest >> field)) return 0;
    return parse_number<uint64_t>(field).value_or(0);
}

Observed observe(const ContainerPaths& p) {
    Observed o;
    auto rec = read_state(p);
    if (rec && *rec) o.recorded = **rec;
    const bool locked = NameLock::held(p.run_root(), p.name);
    if (!o.recorded) {
        // A monitor that holds the lock but has not written its file yet.
        o.state = locked ? State::Starting : State::Stopped;
        return o;
    }
    const RuntimeState& r = *o.recorded;
    const bool init_alive = r.init_pid > 0 && process_start_time(r.init_pid) == r.init_start_time;
    if (locked && (init_alive || r.state == State::Starting || r.state == State::Stopping ||
                   r.state == State::Aborting)) {
        o.state = r.state;
        // Freezing goes straight to the cgroup (kiste freeze, or a user's
        // write to freezer.state): the cgroup, not the record, knows it.
        if (o.state == State::Running && !r.cgroup_paths.empty()) {
            if (auto m = cgroup::open_manager(r.cgroup_paths); m) {
                if (auto frozen = (*m)->frozen(); frozen && *frozen) o.state = State::Frozen;
            }
        }
        return o;
    }
    o.state = State::Stopped;
    o.stale = true;
    return o;
}

std::vector<std::string> list_containers(const std::string& lxcpath) {
    std::vector<std::string> names;
    DIR* d = ::opendir(lxcpath.c_str());
    if (d == nullptr) return names;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        struct stat st {};
        if (::stat((lxcpath + "/" + n + "/config").c_str(), &st) == 0 && S_ISREG(st.st_mode))
            names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace kiste::state
