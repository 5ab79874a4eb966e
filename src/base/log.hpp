// Logging with LXC's levels, to stderr and/or a log file. A Logger is owned
// by the command that runs and passed down by reference (no global logger).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste {

enum class LogLevel { Trace = 0, Debug, Info, Notice, Warn, Error, Crit, Alert, Fatal };

// Accepts LXC's names (TRACE..FATAL, case-insensitive, WARNING too) and 0..8.
std::optional<LogLevel> parse_log_level(std::string_view s);
std::string_view log_level_name(LogLevel l);

class Logger {
public:
    // Messages at `stderr_level` or above go to stderr.
    explicit Logger(LogLevel stderr_level = LogLevel::Warn) : stderr_level_(stderr_level) {}

    void set_stderr_level(LogLevel l) { stderr_level_ = l; }
    void set_file_level(LogLevel l) { file_level_ = l; }
    // Opens (append, create) the log file; messages at file_level or above go there.
    Status open_file(const std::string& path);
    void set_prefix(std::string p) { prefix_ = std::move(p); }
    [[nodiscard]] int file_fd() const { return file_.get(); }

    void write(LogLevel l, std::string_view msg) const;

    template <class... Args>
    void log(LogLevel l, fmt::format_string<Args...> f, Args&&... args) const {
        if (l < stderr_level_ && (l < file_level_ || !file_.valid())) return;
        write(l, fmt::format(f, std::forward<Args>(args)...));
    }
    template <class... Args>
    void debug(fmt::format_string<Args...> f, Args&&... args) const {
        log(LogLevel::Debug, f, std::forward<Args>(args)...);
    }
    template <class... Args>
    void info(fmt::format_string<Args...> f, Args&&... args) const {
        log(LogLevel::Info, f, std::forward<Args>(args)...);
    }
    template <class... Args>
    void warn(fmt::format_string<Args...> f, Args&&... args) const {
        log(LogLevel::Warn, f, std::forward<Args>(args)...);
    }
    template <class... Args>
    void error(fmt::format_string<Args...> f, Args&&... args) const {
        log(LogLevel::Error, f, std::forward<Args>(args)...);
    }

private:
    LogLevel stderr_level_;
    LogLevel file_level_ = LogLevel::Error;
    UniqueFd file_;
    std::string prefix_ = "kiste";
};

}  // namespace kiste
