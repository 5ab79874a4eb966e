// kiste network create|ls|rm: host bridges that containers name in
// lxc.net.N.link, with an optional dnsmasq for DHCP and an opt-in NAT rule
// (the library's net/host_network.hpp does the work).
#include <iostream>
#include <memory>

#include "base/json.hpp"
#include "commands.hpp"
#include "net/host_network.hpp"
#include "state/run_lock.hpp"

namespace kiste::cli {

namespace {

struct NetworkArgs {
    net::HostNetworkOptions create;
    std::string name;  // rm
    bool force = false;
    std::string format = "text";
};

nlohmann::json to_json(const net::HostNetworkStatus& s) {
    const auto& n = s.network;
    return {
        {"name", n.options.name},
        {"ipv4", n.options.ipv4},
        {"ipv6", n.options.ipv6},
        {"dhcp_range", n.dhcp_first.empty() ? "" : n.dhcp_first + "-" + n.dhcp_last},
        {"nat", n.options.nat},
        {"bridge", s.bridge_present},
        {"dnsmasq_pid", s.dnsmasq_running ? n.dnsmasq_pid : 0},
        {"ports", s.ports},
    };
}

int list(Context& ctx, const NetworkArgs& a) {
    auto all = net::list_host_networks(state::run_root());
    if (!all) return report(ctx, all.error());
    if (a.format == "json") {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& s : *all) arr.push_back(to_json(s));
        std::cout << json_text(arr) << '\n';
        return 0;
    }
    std::cout << fmt::format("{:<16} {:<20} {:<28} {:<4} {}\n", "NAME", "IPV4", "DHCP", "NAT",
                             "STATE");
    for (const auto& s : *all) {
        const auto& n = s.network;
        std::string state = s.bridge_present ? "up" : "bridge missing";
        if (!n.dhcp_first.empty() && !s.dnsmasq_running) state += ", dnsmasq not running";
        if (!s.ports.empty()) state += fmt::format(", {} ports", s.ports.size());
        std::cout << fmt::format("{:<16} {:<20} {:<28} {:<4} {}\n", n.options.name, n.options.ipv4,
                                 n.dhcp_first.empty() ? "-" : n.dhcp_first + "-" + n.dhcp_last,
                                 n.options.nat ? "yes" : "no", state);
    }
    return 0;
}

}  // namespace

void register_network(CLI::App& app, Context& ctx) {
    auto a = std::make_shared<NetworkArgs>();
    auto* cmd = app.add_subcommand("network", "manage host bridges for containers");
    cmd->require_subcommand(1);

    auto* create = cmd->add_subcommand("create", "create a bridge (lxc.net.N.link = NAME)");
    create->fallthrough();
    create->add_option("name", a->create.name, "network (and bridge) name")->required();
    create->add_option("--ipv4", a->create.ipv4, "the host's address on it, ADDR/PREFIX")
        ->required();
    create->add_option("--ipv6", a->create.ipv6, "an IPv6 address for the host, ADDR/PREFIX");
    create->add_option("--dhcp", a->create.dhcp_range,
                       "serve DHCP (dnsmasq) for FIRST-LAST in the IPv4 subnet");
    create->add_flag("--nat", a->create.nat, "masquerade the IPv4 subnet to the outside");
    create->callback([a, &ctx] {
        configure_logging(ctx);
        auto n = net::create_host_network(state::run_root(), a->create, ctx.log);
        ctx.exit_code = n ? 0 : report(ctx, n.error());
    });

    auto* ls = cmd->add_subcommand("ls", "list the networks");
    ls->fallthrough();
    ls->add_option("--format", a->format, "text or json")->check(CLI::IsMember({"text", "json"}));
    ls->callback([a, &ctx] {
        configure_logging(ctx);
        ctx.exit_code = list(ctx, *a);
    });

    auto* rm = cmd->add_subcommand("rm", "remove a network: bridge, dnsmasq and rules");
    rm->fallthrough();
    rm->add_option("name", a->name, "network name")->required();
    rm->add_flag("-f,--force", a->force, "remove it even while interfaces are attached");
    rm->callback([a, &ctx] {
        configure_logging(ctx);
        auto st = net::remove_host_network(state::run_root(), a->name, a->force, ctx.log);
        ctx.exit_code = st ? 0 : report(ctx, st.error());
    });
}

}  // namespace kiste::cli
