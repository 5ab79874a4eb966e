// The parts of a Manager that v1 and v2 share: one Slot per hierarchy, the
// create/destroy skeleton, the kill loop, pids. V1Manager (v1 and hybrid
// hosts) and V2Manager fill in what differs. Tests build managers over temp
// dirs with make_manager_for().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.hpp"
#include "cgroup/cgroup.hpp"
#include "cgroup/fs.hpp"
#include "cgroup/host.hpp"
#include "cgroup/placement.hpp"

namespace kiste::cgroup {

// One hierarchy's share of a container.
struct Slot {
    Hierarchy h;        // h.base: our own cgroup (empty after open_manager)
    std::string rel;    // dir relative to h.base (what create() makes)
    std::string dir;    // the container's cgroup: limits are written here
    std::string inner;  // where processes join (== dir unless lxc.cgroup.dir.container.inner)
};

// Unit tests stand in for the kernel: called after each mkdir the manager
// makes, it creates the control files a real cgroupfs would show.
using MkdirHook = std::function<void(const std::string& dir, const Hierarchy& h)>;

class ManagerBase : public Manager {
public:
    ManagerBase(Layout layout, std::vector<Slot> slots, std::string inner_rel);

    [[nodiscard]] Layout layout() const override { return layout_; }
    Status create() override;
    Status create_v2() override;
    Status create_v1() override;
    Status kill_all() override;
    Status destroy() override;
    Result<std::vector<pid_t>> pids() override;
    Status delegate(uid_t uid, gid_t gid) override;
    [[nodiscard]] std::vector<std::string> paths() const override;
    [[nodiscard]] std::vector<HierarchyInfo> hierarchies() const override;
    [[nodiscard]] const std::vector<std::string>& warnings() const override { return warnings_; }
    void set_mkdir_hook(MkdirHook h) { mkdir_hook_ = std::move(h); }

protected:
    // Makes one slot's directories; appends each dir it made to `made`.
    virtual Status make_slot(const Slot& s, std::vector<std::string>& made) = 0;
    // Freezing for the kill loop (a short timeout); false when there is no freezer.
    virtual Result<bool> freeze_for_kill() = 0;
    virtual Status thaw_after_kill() = 0;

    // The slot holding a controller ("memory"); nullptr when not mounted.
    [[nodiscard]] const Slot* slot_for(std::string_view controller) const;
    [[nodiscard]] bool any_dir_exists() const;
    // Makes the slots whose h.v2 is `v2`; on failure removes what it made.
    Status create_slots(bool v2);
    Status remove_dirs();
    // on_created for mkdir_path: the test hook, then `then` (cpuset inheritance).
    [[nodiscard]] std::function<Status(const Dir&, const Dir&)> created_hook(
        const Hierarchy& h, std::function<Status(const Dir&, const Dir&)> then) const;

    Layout layout_;
    std::vector<Slot> slots_;
    std::string inner_rel_;
    std::vector<std::string> warnings_;
    MkdirHook mkdir_hook_;
    // Set when create found this name's cgroup owned by another live
    // container: destroy() then leaves it alone.
    bool foreign_ = false;
    // Held from create on, for the life of this object (see create_v2).
    UniqueFd owner_lock_;
};

std::unique_ptr<Manager> make_v1_manager(Layout layout, std::vector<Slot> slots,
                                         std::string inner_rel);
std::unique_ptr<Manager> make_v2_manager(Slot slot, std::string inner_rel);

// make_manager over a given host description (unit tests: temp dirs).
Result<std::unique_ptr<Manager>> make_manager_for(const HostCgroups& host, const std::string& name,
                                                  const CgroupConfig& cfg, MkdirHook hook = {});
// open_manager over given mounts (unit tests).
Result<std::unique_ptr<Manager>> open_manager_for(const std::vector<CgroupMount>& mounts,
                                                  const std::vector<std::string>& recorded);

// "controller.file" -> "controller"
std::string_view controller_of(std::string_view key);

}  // namespace kiste::cgroup
