#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <thread>

#include "base/scope_exit.hpp"
#include "cgroup/manager_impl.hpp"
#include "cgroup/private_mounts.hpp"
#include "cgroup/v2/controllers.hpp"

namespace kiste::cgroup {

namespace {

constexpr int kKillTimeoutMs = 10000;
constexpr int kRmdirBusyMs = 2000;

// The owner lock of a container's cgroup: an abstract unix socket named
// after its directory, bound while a live kiste (monitor or execute) owns
// it; the kernel frees it when that process dies, however it dies. cgroups
// are named by container name alone, so a container of the same name in
// another container path finds it taken. Invalid with errno EADDRINUSE when
// taken.
UniqueFd take_owner_lock(const std::string& dir) {
    uint64_t h = 14695981039346656037ULL;  // FNV-1a: the path may not fit sun_path
    for (unsigned char c : dir) h = (h ^ c) * 1099511628211ULL;
    const std::string name = fmt::format("kiste-cgroup:{:016x}", h);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return fd;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, name.data(), name.size());
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) < 0) {
        const int err = errno;
        fd.reset();
        errno = err;
    }
    return fd;
}

}  // namespace

std::string_view controller_of(std::string_view key) {
    return key.substr(0, key.find('.'));
}

ManagerBase::ManagerBase(Layout layout, std::vector<Slot> slots, std::string inner_rel)
    : layout_(layout), slots_(std::move(slots)), inner_rel_(std::move(inner_rel)) {}

const Slot* ManagerBase::slot_for(std::string_view controller) const {
    for (const auto& s : slots_)
        if (!s.h.v2 && s.h.has(controller)) return &s;
    return nullptr;
}

bool ManagerBase::any_dir_exists() const {
    return std::any_of(slots_.begin(), slots_.end(),
                       [](const Slot& s) { return dir_exists(s.dir); });
}

std::vector<std::string> ManagerBase::paths() const {
    std::vector<std::string> out;
    for (const auto& s : slots_) out.push_back(s.dir);
    for (const auto& s : slots_)
        if (s.inner != s.dir) out.push_back(s.inner);
    return out;
}

std::vector<HierarchyInfo> ManagerBase::hierarchies() const {
    std::vector<HierarchyInfo> out;
    for (const auto& s : slots_)
        out.push_back({s.h.v2, s.h.controllers, s.h.mount_name(), s.h.mountpoint, s.dir, s.inner});
    return out;
}

std::function<Status(const Dir&, const Dir&)> ManagerBase::created_hook(
    const Hierarchy& h, std::function<Status(const Dir&, const Dir&)> then) const {
    if (!mkdir_hook_) return then;
    return [this, h, then = std::move(then)](const Dir& parent, const Dir& child) -> Status {
        mkdir_hook_(child.path, h);
        return then ? then(parent, child) : Status{};
    };
}

Status ManagerBase::create() {
    KISTE_TRY(create_v2());
    return create_v1();
}

Status ManagerBase::create_v2() {
    if (!slots_.empty()) {
        owner_lock_ = take_owner_lock(slots_.front().dir);
        if (!owner_lock_ && errno == EADDRINUSE) {
            // Another live container owns this name's cgroup: refuse, and
            // never kill or remove what it runs.
            foreign_ = true;
            return fail(Error(
                EBUSY, fmt::format("the cgroup {} belongs to another running container of this "
                                   "name (in another container path, or under kiste execute); "
                                   "kiste names cgroups by container name: stop that container "
                                   "or choose another name",
                                   slots_.front().dir)));
        }
    }
    if (any_dir_exists()) {
        // A crashed run left its cgroup: nothing of it may survive into ours.
        auto st = kill_all();
        if (st) st = remove_dirs();
        if (!st)
            return fail(
                std::move(st.error()).context("removing the leftover cgroup of a previous run"));
    }
    return create_slots(true);
}

Status ManagerBase::create_v1() {
    return create_slots(false);
}

Status ManagerBase::create_slots(bool v2) {
    std::vector<std::string> made;
    ScopeExit undo([&made] {
        for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
    });
    for (const auto& s : slots_) {
        if (s.h.v2 != v2) continue;
        KISTE_TRY_CTX(make_slot(s, made), "creating the container's cgroup in {}", s.h.mountpoint);
    }
    undo.dismiss();
    return {};
}

Result<std::vector<pid_t>> ManagerBase::pids() {
    std::vector<pid_t> all;
    for (const auto& s : slots_) {
        if (!dir_exists(s.dir)) continue;
        auto p = KISTE_TRY(procs_recursive(s.dir));
        all.insert(all.end(), p.begin(), p.end());
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
}

Status ManagerBase::kill_all() {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::milliseconds(kKillTimeoutMs);
    auto pause = std::chrono::microseconds(500);
    for (;;) {
        // cgroup.kill reaches every process of a v2 cgroup (also on the
        // unified hierarchy of a hybrid host) without a pid race.
        // Every process of the container is in its v2 cgroup's subtree (it
        // cannot leave its cgroup namespace), so when that subtree holds no
        // process, no v1 hierarchy does either: the common case of a stop
        // after the init has gone needs no listing of each hierarchy.
        bool v2_empty = false;
        for (const auto& s : slots_) {
            if (!s.h.v2) continue;
            auto d = open_dir(s.dir);
            if (!d) continue;
            (void)v2::core::kill(*d);
            auto busy = v2::core::populated(*d);
            v2_empty = busy && !*busy;
        }
        if (v2_empty) return {};
        auto left = KISTE_TRY(pids());
        if (left.empty()) return {};
        // Frozen, no process can fork or exit between reading and killing,
        // so no pid is reused under us; on v1 the kills land at the thaw.
        auto frozen = freeze_for_kill();
        left = KISTE_TRY(pids());
        for (pid_t p : left)
            if (p > 1 && p != ::getpid()) ::kill(p, SIGKILL);  // never ourselves
        if (frozen && *frozen) (void)thaw_after_kill();
        if (Clock::now() >= deadline) {
            std::string list;
            for (pid_t p : left) list += (list.empty() ? "" : " ") + std::to_string(p);
            return fail("processes survive SIGKILL in {}: {}", slots_.front().dir, list);
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(20000));
    }
}

Status ManagerBase::delegate(uid_t uid, gid_t gid) {
    // The files a delegatee writes to make and fill subgroups (the kernel's
    // cgroup-v2 "Delegation" list; tasks and cgroup.procs on v1).
    static constexpr const char* kFiles[] = {"cgroup.procs",          "tasks",
                                             "cgroup.threads",        "cgroup.subtree_control",
                                             "cgroup.clone_children", "notify_on_release"};
    for (const auto& s : slots_) {
        for (const std::string* dir : {&s.dir, &s.inner}) {
            if (dir == &s.inner && s.inner == s.dir) continue;
            if (::chown(dir->c_str(), uid, gid) < 0)
                return fail_errno("handing the cgroup {} to uid {}", *dir, uid);
            for (const char* f : kFiles) {
                const std::string path = *dir + "/" + f;
                if (::chown(path.c_str(), uid, gid) < 0 && errno != ENOENT)
                    return fail_errno("handing {} to uid {}", path, uid);
            }
        }
    }
    return {};
}

std::optional<std::pair<uid_t, gid_t>> userns_root_owner(const ContainerSpec& spec) {
    if (!spec.ns_new(NsKind::User)) return std::nullopt;
    auto root_of = [](const std::vector<IdMapping>& maps) -> std::optional<uint32_t> {
        for (const auto& m : maps)
            if (m.container_id == 0 && m.count > 0) return m.host_id;
        return std::nullopt;
    };
    auto u = root_of(spec.uid_map);
    auto g = root_of(spec.gid_map);
    if (!u || !g) return std::nullopt;
    return std::pair<uid_t, gid_t>{*u, *g};
}

Status ManagerBase::remove_dirs() {
    Status first;
    for (const auto& s : slots_) {
        auto st = remove_tree(s.dir, kRmdirBusyMs);
        if (!st) {
            if (first) first = std::move(st);
            continue;
        }
        // kiste.payload stays, empty, when its last container goes (as
        // docker's and podman's parent cgroups do): making and removing it
        // in each of a hybrid host's ten hierarchies would be a quarter of the
        // cgroup work of every `kiste execute`.
        release_private_hierarchy(s.h.mountpoint);
    }
    return first;
}

Status ManagerBase::destroy() {
    // The dirs of a refused create are another container's: not ours to end.
    if (foreign_) return {};
    if (any_dir_exists()) {
        KISTE_TRY_CTX(kill_all(), "killing the processes of the container's cgroup");
        KISTE_TRY(remove_dirs());
    }
    // The name's cgroup is free for the next container at once (a start
    // right after a stop need not wait for this process to exit).
    owner_lock_.reset();
    return {};
}

}  // namespace kiste::cgroup
