#include "template/debian_setup.hpp"

#include <sys/random.h>

#include <algorithm>

#include <sstream>

#include "template/root_files.hpp"

namespace kiste::tmpl {

const std::vector<std::string> kMaskedUnits = {
    // udev: no devices to manage; kiste populates /dev (lxc.autodev).
    "systemd-udevd.service", "systemd-udevd-control.socket", "systemd-udevd-kernel.socket",
    "systemd-udev-trigger.service", "systemd-udev-settle.service", "systemd-hwdb-update.service",
    // Kernel modules and kernel file systems belong to the host.
    "systemd-modules-load.service", "kmod-static-nodes.service", "sys-kernel-config.mount",
    "sys-kernel-debug.mount", "sys-kernel-tracing.mount", "sys-fs-fuse-connections.mount",
    "dev-hugepages.mount", "proc-sys-fs-binfmt_misc.automount", "proc-sys-fs-binfmt_misc.mount",
    "systemd-binfmt.service", "systemd-pstore.service", "systemd-journald-audit.socket",
    // The host keeps the clock (no CAP_SYS_TIME in the container).
    "systemd-timesyncd.service", "hwclock.service",
    // kiste mounts the root; no first-boot questions on the console.
    "systemd-remount-fs.service", "systemd-firstboot.service",
    // Debian's fallback gettys on tty2..6 when dbus is missing; gettys are
    // enabled per lxc.tty.max below.
    "getty-static.service",
    // Periodic jobs that check real disks.
    "e2scrub_reap.service", "e2scrub_all.timer", "fstrim.timer"};

namespace {

bool in_container_netns(const std::string& type) {
    return type == "veth" || type == "macvlan" || type == "ipvlan" || type == "vlan" ||
           type == "phys";
}

bool literal_gateway(const NetInterface::Gateway& gw) {
    return gw.kind == NetInterface::Gateway::Kind::Address;
}

std::string random_machine_id() {
    unsigned char b[16];
    if (::getrandom(b, sizeof b, 0) != static_cast<ssize_t>(sizeof b)) return {};
    std::string out;
    for (unsigned char c : b) out += fmt::format("{:02x}", c);
    return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> networkd_files(const lxc::LxcConfig& cfg) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [index, nic] : cfg.net)
        if (nic.type == "none") return {};  // the host's network: hands off
    // Names the kernel gives unnamed devices: the lowest free ethN, in order.
    std::vector<std::string> taken;
    for (const auto& [index, nic] : cfg.net)
        if (!nic.name.empty()) taken.push_back(nic.name);
    unsigned next_eth = 0;
    for (const auto& [index, nic] : cfg.net) {
        if (!in_container_netns(nic.type)) continue;
        std::string name = nic.name;
        if (name.empty()) {
            do {
                name = fmt::format("eth{}", next_eth++);
            } while (std::find(taken.begin(), taken.end(), name) != taken.end());
            taken.push_back(name);
        }
        std::string text = fmt::format(
            "# Written by kiste's debian template from lxc.net.{} of the container's config.\n"
            "# kiste configures the same addresses when it starts the container.\n"
            "[Match]\nName={}\n",
            index, name);
        if (nic.mtu) text += fmt::format("\n[Link]\nMTUBytes={}\n", *nic.mtu);
        text += "\n[Network]\n";
        text += nic.ipv4.empty() ? "DHCP=ipv4\n" : "DHCP=no\n";
        for (const auto* list : {&nic.ipv4, &nic.ipv6})
            for (const auto& a : *list)
                text += fmt::format("Address={}/{}\n", a.address.to_string(), a.prefix);
        for (const auto* gw : {&nic.ipv4_gateway, &nic.ipv6_gateway})
            if (literal_gateway(*gw)) text += "Gateway=" + gw->address.to_string() + "\n";
        // Do not drop what kiste configured before networkd started.
        text += "KeepConfiguration=static\n";
        out.emplace_back(fmt::format("10-kiste-{}.network", name), std::move(text));
    }
    return out;
}

std::string shadow_root_passwordless(const std::string& shadow) {
    std::istringstream in(shadow);
    std::string line, out;
    while (std::getline(in, line)) {
        if (line.starts_with("root:")) {
            auto second = line.find(':', 5);
            line = "root:" + (second == std::string::npos ? std::string(":") : line.substr(second));
        }
        out += line + "\n";
    }
    return out;
}

std::string hosts_file(const std::string& hostname) {
    return fmt::format(
        "127.0.0.1\tlocalhost\n127.0.1.1\t{}\n\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\n"
        "ff02::2\tip6-allrouters\n",
        hostname);
}

std::string debian_config_additions(const lxc::LxcConfig& cfg) {
    std::string out;
    auto add = [&](const char* key, const std::string& value) {
        if (!cfg.origins.contains(key)) out += fmt::format("{} = {}\n", key, value);
    };
    add("lxc.init.cmd", "/sbin/init");
    // systemd halts on SIGRTMIN+3 and reboots on SIGINT (ctrl-alt-del.target).
    add("lxc.signal.halt", "SIGRTMIN+3");
    add("lxc.signal.reboot", "SIGINT");
    // systemd wants a cgroup tree it can write (its name=systemd hierarchy on v1).
    add("lxc.mount.auto", "cgroup:mixed proc:mixed sys:mixed");
    add("lxc.autodev", "1");
    add("lxc.tty.max", "4");
    add("lxc.pty.max", "1024");
    if (!cfg.origins.contains("lxc.cap.drop") && !cfg.origins.contains("lxc.cap.keep"))
        out += "lxc.cap.drop = mac_admin mac_override sys_module sys_rawio sys_time\n";
    return out;
}

Status prune_apt_caches(const std::string& rootfs) {
    UniqueFd root = KISTE_TRY(open_root(rootfs));
    KISTE_TRY(remove_files_in_root(root.get(), "var/cache/apt/archives", ".deb"));
    KISTE_TRY(remove_files_in_root(root.get(), "var/cache/apt", ".bin"));
    KISTE_TRY(remove_files_in_root(root.get(), "var/lib/apt/lists", "_Packages"));
    KISTE_TRY(remove_files_in_root(root.get(), "var/lib/apt/lists", "_InRelease"));
    KISTE_TRY(remove_files_in_root(root.get(), "var/lib/apt/lists", "_Release"));
    KISTE_TRY(remove_files_in_root(root.get(), "var/lib/apt/lists", "_Release.gpg"));
    return {};
}

Status setup_debian_rootfs(const DebianSetup& s) {
    KISTE_TRY(prune_apt_caches(s.rootfs));
    UniqueFd root = KISTE_TRY(open_root(s.rootfs));
    const int r = root.get();

    KISTE_TRY(write_in_root(r, "etc/hostname", s.hostname + "\n"));
    KISTE_TRY(write_in_root(r, "etc/hosts", hosts_file(s.hostname)));
    KISTE_TRY(write_in_root(r, "etc/fstab",
                            "# kiste: the container's mounts come from its config "
                            "(lxc.mount.auto, lxc.mount.entry).\n"));
    // Every container its own machine id (the cache is shared); a fixed one
    // now, so that the first boot is not a "first boot" (no presets applied).
    std::string id = random_machine_id();
    if (id.empty()) return fail_errno("getrandom for the machine id");
    KISTE_TRY(write_in_root(r, "etc/machine-id", id + "\n", 0444));
    if (exists_in_root(r, "var/lib/dbus/machine-id"))
        KISTE_TRY(symlink_in_root(r, "var/lib/dbus/machine-id", "/etc/machine-id"));

    // A console login as root without a password.
    auto shadow = KISTE_TRY(read_in_root(r, "etc/shadow"));
    if (!shadow) return fail("{}/etc/shadow is missing: is this a Debian tree?", s.rootfs);
    KISTE_TRY(write_in_root(r, "etc/shadow", shadow_root_passwordless(*shadow), 0640));

    for (const auto& unit : kMaskedUnits)
        KISTE_TRY(symlink_in_root(r, "etc/systemd/system/" + unit, "/dev/null"));
    KISTE_TRY(symlink_in_root(r, "etc/systemd/system/default.target",
                              "/lib/systemd/system/multi-user.target"));

    // Gettys on the ttys kiste provides (/dev/ttyN, as LXC does): getty@.service
    // only runs where /dev/tty0 exists (a VT host); the drop-in asks for the
    // tty itself instead. console-getty (the container's console) comes from
    // systemd's getty generator; container-getty@ would duplicate ours.
    KISTE_TRY(write_in_root(r, "etc/systemd/system/getty@.service.d/kiste-container.conf",
                            "# kiste: gettys run on the container's ttys, not on VTs.\n"
                            "[Unit]\nConditionPathExists=\nConditionPathExists=/dev/%I\n"));
    KISTE_TRY(mkdirs_in_root(r, "etc/systemd/system/getty.target.wants"));
    // Debian enables getty@tty1; without ttys (lxc.tty.max = 0) it goes.
    for (unsigned i = 1; i <= std::max(s.ttys, 6U); ++i) {
        const std::string link =
            fmt::format("etc/systemd/system/getty.target.wants/getty@tty{}.service", i);
        if (i <= s.ttys)
            KISTE_TRY(symlink_in_root(r, link, "/lib/systemd/system/getty@.service"));
        else
            KISTE_TRY(remove_in_root(r, link));
    }
    for (unsigned i = 0; i <= s.ttys; ++i)
        KISTE_TRY(symlink_in_root(
            r, fmt::format("etc/systemd/system/container-getty@{}.service", i), "/dev/null"));

    // systemd-networkd for the interfaces of the config.
    auto files = s.config != nullptr ? networkd_files(*s.config)
                                     : std::vector<std::pair<std::string, std::string>>{};
    if (!files.empty()) {
        for (const auto& [name, text] : files)
            KISTE_TRY(write_in_root(r, "etc/systemd/network/" + name, text));
        KISTE_TRY(symlink_in_root(
            r, "etc/systemd/system/multi-user.target.wants/systemd-networkd.service",
            "/lib/systemd/system/systemd-networkd.service"));
        KISTE_TRY(symlink_in_root(r,
                                  "etc/systemd/system/sockets.target.wants/systemd-networkd.socket",
                                  "/lib/systemd/system/systemd-networkd.socket"));
    }
    return {};
}

}  // namespace kiste::tmpl
