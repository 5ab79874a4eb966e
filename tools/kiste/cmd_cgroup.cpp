// kiste cgroup NAME KEY [VALUE]: read or write one file of a running
// container's cgroup (lxc-cgroup). KEY is the file name as the host's layout
// has it ("memory.limit_in_bytes" on v1, "memory.max" on v2); known keys are
// checked before the write, and an error carries the kernel's errno.
#include <iostream>
#include <memory>

#include "cgroup/cgroup.hpp"
#include "commands.hpp"
#include "manager/set.hpp"
#include "state/container_state.hpp"

namespace kiste::cli {

namespace {

struct CgroupArgs {
    std::string name;
    std::string key;
    std::string value;
    bool write = false;  // a value was given ("" is a value)
};

int run(Context& ctx, const CgroupArgs& a) {
    auto m = manager::open_running_cgroups({ctx.global.lxcpath, a.name});
    if (!m) return report(ctx, m.error());
    if (!a.write) {
        auto v = (*m)->get(a.key);
        if (!v) return report(ctx, Error(v.error()).context(fmt::format("container '{}'", a.name)));
        std::cout << *v << '\n';
        return 0;
    }
    auto st = (*m)->set(a.key, a.value);
    if (!st) return report(ctx, Error(st.error()).context(fmt::format("container '{}'", a.name)));
    return 0;
}

}  // namespace

void register_cgroup(CLI::App& app, Context& ctx) {
    auto a = std::make_shared<CgroupArgs>();
    auto* cmd = app.add_subcommand("cgroup", "read or write a cgroup file of a running container");
    cmd->fallthrough();
    add_name_option(cmd);
    cmd->add_option("name", a->name, "container name")->required();
    cmd->add_option("key", a->key, "the cgroup file, e.g. memory.limit_in_bytes or memory.max")
        ->required();
    auto* value = cmd->add_option("value", a->value, "the value to write (omit to read)");
    cmd->callback([a, value, &ctx] {
        a->write = value->count() > 0;
        configure_logging(ctx);
        ctx.exit_code = run(ctx, *a);
    });
}

}  // namespace kiste::cli
