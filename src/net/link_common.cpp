// Helpers shared by the link types: recording, names, sysctls, l2proxy.
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>

#include "net/link.hpp"

namespace kiste::net {

namespace {
std::array<unsigned char, 16> random_bytes() {
    std::array<unsigned char, 16> b{};
    // getrandom of up to 256 bytes never returns short once the pool is ready.
    if (::getrandom(b.data(), b.size(), 0) != static_cast<ssize_t>(b.size()))
        for (size_t i = 0; i < b.size(); ++i)
            b[i] = static_cast<unsigned char>(::getpid() * 31 + static_cast<int>(i) * 7);
    return b;
}
}  // namespace

const LinkOps* link_ops(const std::string& type) {
    if (type == "veth") return &veth_ops();
    if (type == "macvlan") return &macvlan_ops();
    if (type == "ipvlan") return &ipvlan_ops();
    if (type == "vlan") return &vlan_ops();
    if (type == "phys") return &phys_ops();
    return nullptr;
}

Status record_link(HostSide& h, const std::string& name) {
    h.record.links.push_back(name);
    return h.persist();
}

std::string random_ifname(const std::string& prefix) {
    static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    auto b = random_bytes();
    std::string n = prefix;
    // LXC's vethXXXXXX: six random characters.
    for (size_t i = 0; i < 6; ++i) n += kChars[b[i] % (sizeof kChars - 1)];
    return n;
}

std::string complete_hwaddr(const std::string& pattern) {
    static constexpr char kHex[] = "0123456789abcdef";
    auto b = random_bytes();
    std::string out = pattern;
    for (size_t i = 0; i < out.size(); ++i) {
        if (out[i] != 'x' && out[i] != 'X') continue;
        unsigned v = b[i % b.size()] & 0x0f;
        // The first octet's low bit marks multicast: keep it clear (as LXC does).
        if (i == 1) v &= 0x0e;
        out[i] = kHex[v];
    }
    return out;
}

Status write_net_sysctl(const std::string& rel, const std::string& value) {
    std::string path = "/proc/sys/net/" + rel;
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return fail_errno("opening {}", path);
    ssize_t n = ::write(fd, value.data(), value.size());
    int err = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(value.size()))
        return fail(Error(err, fmt::format("writing {} to {}", value, path)));
    return {};
}

std::string read_net_sysctl(const std::string& rel) {
    std::ifstream f("/proc/sys/net/" + rel);
    std::string v;
    f >> v;
    return v;
}

namespace {
std::string dotted(std::string rel) {
    std::replace(rel.begin(), rel.end(), '/', '.');
    return rel;
}
}  // namespace

Status add_l2proxy(LinkState& s, HostSide& h) {
    if (!s.cfg.l2proxy) return {};
    if (s.cfg.link.empty())
        return fail("{}: l2proxy needs a link (the interface to answer on)", s.cfg.origin);
    // As LXC: kiste adds the entries but leaves the host's forwarding policy
    // alone; without these settings the kernel ignores proxy entries.
    std::vector<std::string> need;
    if (!s.cfg.ipv4.empty()) need.push_back("ipv4/conf/" + s.cfg.link + "/forwarding");
    if (!s.cfg.ipv6.empty()) {
        need.push_back("ipv6/conf/" + s.cfg.link + "/proxy_ndp");
        need.push_back("ipv6/conf/" + s.cfg.link + "/forwarding");
    }
    for (const auto& rel : need)
        if (read_net_sysctl(rel) != "1")
            return fail("{}: l2proxy needs net.{} = 1 on the host", s.cfg.origin, dotted(rel));
    for (const auto* list : {&s.cfg.ipv4, &s.cfg.ipv6})
        for (const auto& a : *list) {
            KISTE_TRY(record_entry(h, h.record.proxies, HostProxy{a.address, s.cfg.link}));
            KISTE_TRY(h.nl.add_proxy(s.cfg.link, a.address));
        }
    return {};
}

void teardown_created(LinkState& s, HostSide& h, Netlink* /*inside*/, int /*host_netns_fd*/) {
    // Inside the container it dies with the namespace; a device that never
    // got there is still on the host under its temporary name.
    if (!s.moved && !s.move_dev.empty()) remove_link(h, s.move_dev);
}

void remove_link(HostSide& h, const std::string& name) {
    if (!h.nl.link_exists(name)) return;
    if (auto st = h.nl.delete_link(name); !st)
        h.log.warn("container {}: {}", h.container, st.error().message());
}

}  // namespace kiste::net
