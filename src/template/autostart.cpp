#include "template/autostart.hpp"

#include <algorithm>

namespace kiste::tmpl {

std::vector<std::string> parse_groups(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    auto add = [&](std::string g) {
        if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(std::move(g));
    };
    for (const auto& a : args) {
        size_t start = 0;
        while (start <= a.size()) {
            size_t end = a.find(',', start);
            if (end == std::string::npos) end = a.size();
            add(a.substr(start, end - start));
            start = end + 1;
        }
    }
    if (out.empty()) out.emplace_back();
    return out;
}

std::vector<AutostartEntry> plan_autostart(std::vector<AutostartEntry> containers,
                                           const AutostartSelection& sel) {
    std::erase_if(containers,
                  [&](const AutostartEntry& e) { return !sel.ignore_auto && !e.start_auto; });
    std::stable_sort(containers.begin(), containers.end(),
                     [](const AutostartEntry& a, const AutostartEntry& b) {
                         if (a.order != b.order) return a.order < b.order;
                         return a.name < b.name;
                     });
    std::vector<AutostartEntry> out;
    if (sel.all) {
        out = std::move(containers);
    } else {
        std::vector<bool> taken(containers.size(), false);
        for (const auto& group : parse_groups(sel.groups)) {
            for (size_t i = 0; i < containers.size(); ++i) {
                const auto& g = containers[i].groups;
                const bool member =
                    group.empty() ? g.empty() : std::find(g.begin(), g.end(), group) != g.end();
                if (member && !taken[i]) {
                    taken[i] = true;
                    out.push_back(containers[i]);
                }
            }
        }
    }
    if (sel.reverse) std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace kiste::tmpl
