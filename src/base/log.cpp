#include "base/log.hpp"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>

namespace kiste {

namespace {
constexpr std::array<std::string_view, 9> kNames = {"TRACE", "DEBUG", "INFO",  "NOTICE", "WARN",
                                                    "ERROR", "CRIT",  "ALERT", "FATAL"};
}

std::optional<LogLevel> parse_log_level(std::string_view s) {
    int n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && p == s.data() + s.size()) {
        if (n < 0 || n > 8) return std::nullopt;
        return static_cast<LogLevel>(n);
    }
    std::string up(s);
    std::transform(up.begin(), up.end(), up.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (up == "WARNING") up = "WARN";
    if (up == "CRITICAL") up = "CRIT";
    for (size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == up) return static_cast<LogLevel>(i);
    return std::nullopt;
}

std::string_view log_level_name(LogLevel l) {
    return kNames.at(static_cast<size_t>(l));
}

Status Logger::open_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return fail_errno("opening log file {}", path);
    file_.reset(fd);
    return {};
}

void Logger::write(LogLevel l, std::string_view msg) const {
    if (l >= stderr_level_) {
        std::string line = fmt::format("{}: {}\n", prefix_, msg);
        (void)!::write(STDERR_FILENO, line.data(), line.size());
    }
    if (file_.valid() && l >= file_level_) {
        timespec ts{};
        ::clock_gettime(CLOCK_REALTIME, &ts);
        tm t{};
        ::gmtime_r(&ts.tv_sec, &t);
        std::string line =
            fmt::format("{} {:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z {:<6} {}\n", prefix_,
                        t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                        ts.tv_nsec / 1000, log_level_name(l), msg);
        (void)!::write(file_.get(), line.data(), line.size());
    }
}

}  // namespace kiste
