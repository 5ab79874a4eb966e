// IpAddress and IpPrefix (kiste/spec.hpp): text in and out only here and at
// the front-ends; everything between works on the bytes.
#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "kiste/spec.hpp"

namespace kiste {

std::optional<IpAddress> IpAddress::parse(std::string_view text, int family) {
    // inet_pton needs a NUL-terminated string; an address is short.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char buf[INET6_ADDRSTRLEN] = {};
    std::memcpy(buf, text.data(), text.size());
    IpAddress a;
    for (int fam : {AF_INET, AF_INET6}) {
        if (family != 0 && family != fam) continue;
        if (::inet_pton(fam, buf, a.bytes.data()) == 1) {
            a.family = fam;
            return a;
        }
    }
    return std::nullopt;
}

IpAddress IpAddress::any(int family) {
    IpAddress a;
    a.family = family;
    return a;
}

std::string IpAddress::to_string() const {
    if (empty()) return {};
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(family, bytes.data(), buf, sizeof buf);
    return buf;
}

bool IpAddress::in_subnet(const IpAddress& network, unsigned prefix) const {
    if (empty() || family != network.family || prefix > size() * 8) return false;
    unsigned bits = prefix;
    for (size_t i = 0; i < size() && bits > 0; ++i) {
        const unsigned mask = bits >= 8 ? 0xffU : (0xffU << (8 - bits)) & 0xffU;
        if ((bytes[i] & mask) != (network.bytes[i] & mask)) return false;
        bits = bits >= 8 ? bits - 8 : 0;
    }
    return true;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text, int family) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto a = IpAddress::parse(text.substr(0, slash), family);
    if (!a) return std::nullopt;
    std::string_view p = text.substr(slash + 1);
    unsigned n = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || n > a->size() * 8)
        return std::nullopt;
    return IpPrefix{*a, static_cast<uint8_t>(n)};
}

std::string IpPrefix::to_string() const {
    return address.to_string() + "/" + std::to_string(prefix);
}

}  // namespace kiste
