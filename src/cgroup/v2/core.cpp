#include <algorithm>
#include <cerrno>

#include "cgroup/v2/controllers.hpp"

namespace kiste::cgroup::v2::core {

namespace {
std::vector<std::string> words_of(const Dir& d, const char* file) {
    std::vector<std::string> out;
    auto text = read_file(d, file);
    if (!text) return out;
    size_t i = 0;
    while (i < text->size()) {
        size_t j = text->find_first_of(" \n", i);
        if (j == std::string::npos) j = text->size();
        if (j > i) out.push_back(text->substr(i, j - i));
        i = j + 1;
    }
    return out;
}
}  // namespace

std::vector<std::string> controllers(const Dir& d) {
    return words_of(d, "cgroup.controllers");
}

std::vector<std::string> subtree_control(const Dir& d) {
    return words_of(d, "cgroup.subtree_control");
}

std::vector<std::string> enable(const Dir& d, const std::vector<std::string>& want) {
    std::vector<std::string> refused;
    const auto offered = controllers(d);
    const auto enabled = subtree_control(d);
    auto has = [](const std::vector<std::string>& v, const std::string& s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    };
    for (const auto& c : want) {
        if (!has(offered, c) || has(enabled, c)) continue;
        if (auto st = write_file(d, "cgroup.subtree_control", "+" + c); !st)
            refused.push_back(st.error().message());
    }
    return refused;
}

Result<bool> kill(const Dir& d) {
    if (!file_exists(d, "cgroup.kill")) return false;
    KISTE_TRY(write_file(d, "cgroup.kill", "1"));
    return true;
}

Result<bool> populated(const Dir& d) {
    auto text = KISTE_TRY(read_file(d, "cgroup.events"));
    return keyed_value(text, "populated").value_or(0) != 0;
}

}  // namespace kiste::cgroup::v2::core
