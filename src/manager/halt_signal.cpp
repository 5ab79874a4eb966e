#include "manager/halt_signal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstring>
#include <string>

#include "base/unique_fd.hpp"

namespace kiste::manager {

namespace {

bool has(uint64_t mask, int sig) {
    return sig >= 1 && sig <= 64 && (mask >> (sig - 1)) & 1U;
}

// The hex value of the line "NAME:\t0000000000000000".
std::optional<uint64_t> field(std::string_view status, std::string_view name) {
    for (size_t pos = 0; pos < status.size();) {
        size_t eol = status.find('\n', pos);
        if (eol == std::string_view::npos) eol = status.size();
        std::string_view line = status.substr(pos, eol - pos);
        pos = eol + 1;
        if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ':')
            continue;
        line.remove_prefix(name.size() + 1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        uint64_t v = 0;
        auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), v, 16);
        if (ec != std::errc{} || end == line.data()) return std::nullopt;
        return v;
    }
    return std::nullopt;
}

}  // namespace

std::optional<SignalMasks> parse_signal_masks(std::string_view status) {
    auto blk = field(status, "SigBlk"), ign = field(status, "SigIgn"),
         cgt = field(status, "SigCgt");
    if (!blk || !ign || !cgt) return std::nullopt;
    return SignalMasks{.blocked = *blk, .ignored = *ign, .caught = *cgt};
}

std::optional<SignalMasks> read_signal_masks(pid_t pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/status";
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0;)
        text.append(buf, static_cast<size_t>(n));
    return parse_signal_masks(text);
}

int choose_halt_signal(int configured, const std::optional<SignalMasks>& init) {
    if (configured != 0) return configured;
    const int rt3 = SIGRTMIN + 3;
    if (!init) return SIGPWR;
    if (has(init->blocked, rt3)) return rt3;
    const bool pwr_unheard = has(init->blocked, SIGPWR) || has(init->ignored, SIGPWR);
    if (pwr_unheard && has(init->caught, rt3)) return rt3;
    return SIGPWR;
}

std::string signal_display_name(int sig) {
    if (const char* abbrev = ::sigabbrev_np(sig)) return std::string("SIG") + abbrev;
    if (sig == SIGRTMIN) return "SIGRTMIN";
    if (sig > SIGRTMIN && sig <= SIGRTMAX) return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
    return "signal " + std::to_string(sig);
}

}  // namespace kiste::manager
