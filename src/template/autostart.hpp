// `kiste autostart`: which containers lxc-autostart would act on, and in
// which order (pure, for tests; the verb does the starting and stopping).
//
// As lxc-autostart: only containers with lxc.start.auto = 1 (unless
// ignore_auto, -A); by group: the -g groups in the order given (an empty
// entry, as in "-g ,web", is the containers without lxc.group), default:
// the containers without a group; -a ignores groups. Within a group, lower
// lxc.start.order first, then by name. A container in several selected
// groups is handled once, with the first. One difference, on purpose:
// shutdown and kill go in the exact reverse of the start order, so what
// started first stops last (lxc-autostart stops in start order).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiste::tmpl {

struct AutostartEntry {
    std::string name;
    bool start_auto = false;
    int64_t order = 0;
    int64_t delay = 0;
    std::vector<std::string> groups;
};

struct AutostartSelection {
    std::vector<std::string> groups;  // as given to -g (comma lists are split here)
    bool all = false;                 // -a
    bool ignore_auto = false;         // -A
    bool reverse = false;             // shutdown/kill order
};

// "-g a,b -g ,c" -> {"a", "b", "", "c"}: split at commas, empty entries
// kept (the no-group selector), duplicates dropped. No -g at all: {""}.
std::vector<std::string> parse_groups(const std::vector<std::string>& args);

// The entries to act on, in order.
std::vector<AutostartEntry> plan_autostart(std::vector<AutostartEntry> containers,
                                           const AutostartSelection& sel);

}  // namespace kiste::tmpl
