#include "state/container_state.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "base/json.hpp"
#include "base/unique_fd.hpp"
#include "cgroup/cgroup.hpp"
#include "state/run_lock.hpp"

namespace kiste::state {

namespace {
constexpr std::array<const char*, 7> kStateNames = {"STOPPED",  "STARTING", "RUNNING", "STOPPING",
                                                    "ABORTING", "FROZEN",   "CREATED"};

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

const char* face_name(Face f) {
    switch (f) {
        case Face::Monitor: return "monitor";
        case Face::Execute: return "execute";
        case Face::None: break;
    }
    return "";
}

namespace {
Face parse_face(std::string_view s) {
    if (s == "monitor") return Face::Monitor;
    if (s == "execute") return Face::Execute;
    return Face::None;
}
}  // namespace

Status write_state(const ContainerPaths& p, const RuntimeState& s) {
    nlohmann::json j = {
        {"state", state_name(s.state)},
        {"face", face_name(s.face)},
        {"init_pid", s.init_pid},
        {"init_start_time", s.init_start_time},
        {"owner_pid", s.owner_pid},
        {"owner_start_time", s.owner_start_time},
        {"created", s.created},
        {"cgroup_paths", s.cgroup_paths},
        {"monitor_cgroup_paths", s.monitor_cgroup_paths},
        {"host_netdevs", s.host_netdevs},
        {"net", net::to_json(s.net)},
        {"ttys", s.ttys},
        {"config_file", s.config_file},
        {"log_file", s.log_file},
        {"last_exit", s.last_exit},
    };
    const std::string text = json_text(j) + "\n";
    const std::string file = p.state_file();
    const std::string tmp = file + ".tmp";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) return fail_errno("writing {}", tmp);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        auto err = Error::from_errno(fmt::format("writing {}", tmp));
        ::unlink(tmp.c_str());
        return fail(std::move(err));
    }
    fd.reset();
    // Readers see the old or the new record, never half of one.
    if (::rename(tmp.c_str(), file.c_str()) < 0) return fail_errno("renaming {} to {}", tmp, file);
    return {};
}

Result<std::optional<RuntimeState>> read_state(const ContainerPaths& p) {
    const std::string file = p.state_file();
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) return std::optional<RuntimeState>{};
        return fail_errno("reading {}", file);
    }
    std::string text;
    char buf[8192];
    for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0;)
        text.append(buf, static_cast<size_t>(n));
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("{}: not valid JSON", file);
    RuntimeState s;
    s.state = parse_state(json_field(j, "state", "STOPPED")).value_or(State::Stopped);
    s.face = parse_face(json_field(j, "face", ""));
    s.init_pid = json_field(j, "init_pid", 0);
    s.init_start_time = json_field(j, "init_start_time", uint64_t{0});
    s.owner_pid = json_field(j, "owner_pid", 0);
    s.owner_start_time = json_field(j, "owner_start_time", uint64_t{0});
    s.created = json_field(j, "created", int64_t{0});
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

namespace {
bool transitional(State s) {
    return s == State::Starting || s == State::Stopping || s == State::Aborting;
}
}  // namespace

Observed observe_record(const ContainerPaths& p, RuntimeState r) {
    Observed o;
    const bool owned = r.owner_pid > 0;
    const bool owner_alive = owned && r.owner().alive();
    const bool init_alive = r.init().alive();
    if (owned && !owner_alive) {
        o.stale = true;
    } else if (init_alive) {
        struct stat st {};
        if (transitional(r.state))
            o.state = r.state;
        else if (::lstat(p.exec_fifo().c_str(), &st) == 0 && S_ISFIFO(st.st_mode))
            o.state = State::Created;
        else
            o.state = State::Running;
    } else if (owner_alive) {
        o.state = transitional(r.state) ? r.state : State::Stopping;
    } else {
        o.stale = true;
    }
    o.recorded = std::move(r);
    return o;
}

Observed observe(const ContainerPaths& p) {
    auto rec = read_state(p);
    if (!rec || !*rec) {
        // An owner that holds the lock but has not written its record yet.
        Observed o;
        o.state = NameLock::held(p.run_root(), p.name) ? State::Starting : State::Stopped;
        return o;
    }
    Observed o = observe_record(p, std::move(**rec));
    // Freezing goes straight to the cgroup (kiste freeze, or a user's write
    // to freezer.state): the cgroup, not the record, knows it.
    const RuntimeState& r = *o.recorded;
    if (o.state == State::Running && !r.cgroup_paths.empty()) {
        if (auto m = cgroup::open_manager(r.cgroup_paths); m) {
            if (auto frozen = (*m)->frozen(); frozen && *frozen) o.state = State::Frozen;
        }
    }
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
