// kiste ls: the containers of a container path (lxc-ls).
#include <regex>
#include <set>

#include "base/json.hpp"
#include "commands.hpp"
#include "lifecycle/container.hpp"
#include "manager/info.hpp"

namespace kiste::cli {

void register_ls(CLI::App& app, Context& ctx) {
    struct Args {
        bool running = false, stopped = false, frozen = false, fancy = false, one = false;
        std::string format = "text";
        std::string filter;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("ls", "list containers");
    cmd->fallthrough();
    cmd->add_flag("--running", a->running, "only running containers");
    cmd->add_flag("--stopped", a->stopped, "only stopped containers");
    cmd->add_flag("--frozen", a->frozen, "only frozen containers");
    cmd->add_flag("-f,--fancy", a->fancy, "a table with state, pid, addresses, memory, autostart");
    cmd->add_flag("-1", a->one, "one name per line (the default)");
    cmd->add_option("--format", a->format, "text or json")->check(CLI::IsMember({"text", "json"}));
    cmd->add_option("filter", a->filter, "a regular expression the names must match");
    cmd->callback([a, &ctx] {
        configure_logging(ctx);
        std::optional<std::regex> re;
        if (!a->filter.empty()) {
            try {
                re.emplace(a->filter, std::regex::extended);
            } catch (const std::regex_error& e) {
                ctx.exit_code = report(
                    ctx, Error::msg(fmt::format("bad filter '{}': {}", a->filter, e.what())));
                return;
            }
        }
        const bool detail = a->fancy || a->format == "json";
        std::vector<manager::ContainerInfo> rows;
        // The defined containers, and those that run without a definition
        // (`kiste execute`): the records in the run root.
        std::set<std::string> names;
        for (auto& n : state::list_containers(ctx.global.lxcpath)) names.insert(std::move(n));
        for (auto& n : lifecycle::recorded_names(ctx.global.lxcpath)) names.insert(std::move(n));
        for (const auto& name : names) {
            if (re && !std::regex_search(name, *re)) continue;
            auto info = manager::gather_info({ctx.global.lxcpath, name}, detail);
            using S = state::State;
            bool any = a->running || a->stopped || a->frozen;
            if (any && !((a->running && info.state == S::Running) ||
                         (a->stopped && info.state == S::Stopped) ||
                         (a->frozen && info.state == S::Frozen)))
                continue;
            rows.push_back(std::move(info));
        }
        if (a->format == "json") {
            nlohmann::json arr = nlohmann::json::array();
            for (const auto& r : rows) {
                nlohmann::json j = manager::to_json(r);
                arr.push_back({{"name", j["name"]},
                               {"state", j["state"]},
                               {"pid", j["pid"]},
                               {"ipv4", j["ipv4"]},
                               {"ipv6", j["ipv6"]},
                               {"memory", j["memory"]},
                               {"autostart", j["autostart"]}});
            }
            fmt::print("{}\n", json_text(arr));
        } else if (a->fancy) {
            auto join = [](const std::vector<std::string>& v) {
                std::string s;
                for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
                return s.empty() ? std::string("-") : s;
            };
            fmt::print("{:<20} {:<8} {:>7} {:<16} {:<24} {:>10} {:<9}\n", "NAME", "STATE", "PID",
                       "IPV4", "IPV6", "MEMORY", "AUTOSTART");
            for (const auto& r : rows)
                fmt::print("{:<20} {:<8} {:>7} {:<16} {:<24} {:>10} {:<9}\n", r.name,
                           state::state_name(r.state), r.pid ? std::to_string(r.pid) : "-",
                           join(r.ipv4), join(r.ipv6),
                           r.state == state::State::Stopped ? "-" : manager::human_bytes(r.memory),
                           r.autostart ? "YES" : "NO");
        } else {
            for (const auto& r : rows) fmt::print("{}\n", r.name);
        }
        ctx.exit_code = 0;
    });
}

}  // namespace kiste::cli
