// Errors as values: every failure carries errno (when the kernel gave one)
// and a chain of context ("starting foo: mounting /proc: Permission denied").
#pragma once

#include <expected>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace kiste {

class Error {
public:
    Error() = default;
    Error(int errnum, std::string message) : errno_(errnum), chain_{std::move(message)} {}

    // An error from the kernel: `what` is the failed operation, errno is read now.
    static Error from_errno(std::string what);
    static Error from_errno(int errnum, std::string what) { return Error(errnum, std::move(what)); }
    static Error msg(std::string what) { return Error(0, std::move(what)); }

    // Adds an outer layer of context; returns *this so it chains.
    Error& context(std::string outer) & {
        chain_.push_back(std::move(outer));
        return *this;
    }
    Error&& context(std::string outer) && {
        chain_.push_back(std::move(outer));
        return std::move(*this);
    }

    [[nodiscard]] int code() const { return errno_; }
    // "outer: inner: innermost: strerror(errno)"
    [[nodiscard]] std::string message() const { return message(true); }
    // The context chain, with or without the errno text appended.
    [[nodiscard]] std::string message(bool with_errno) const;
    // The innermost message alone, without context or errno text.
    [[nodiscard]] const std::string& root() const { return chain_.front(); }

private:
    int errno_ = 0;
    std::vector<std::string> chain_{""};  // innermost first
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Error e) {
    return std::unexpected<Error>(std::move(e));
}

template <class... Args>
std::unexpected<Error> fail(fmt::format_string<Args...> f, Args&&... args) {
    return std::unexpected<Error>(Error::msg(fmt::format(f, std::forward<Args>(args)...)));
}

// errno is captured at the call, so call this right after the failing syscall.
template <class... Args>
std::unexpected<Error> fail_errno(fmt::format_string<Args...> f, Args&&... args) {
    return std::unexpected<Error>(Error::from_errno(fmt::format(f, std::forward<Args>(args)...)));
}

// Adds context to a failed result, leaves a good one alone.
template <class T, class... Args>
Result<T> with_context(Result<T>&& r, fmt::format_string<Args...> f, Args&&... args) {
    if (!r) r.error().context(fmt::format(f, std::forward<Args>(args)...));
    return std::move(r);
}

namespace detail {
template <class T>
T take(std::expected<T, Error>&& r) {
    return std::move(*r);
}
inline void take(std::expected<void, Error>&& /*r*/) {}
}  // namespace detail

}  // namespace kiste

// KISTE_TRY(expr): evaluates a Result; returns its error from the enclosing
// function, or yields its value. GCC/Clang statement expression.
#define KISTE_TRY(expr)                                                                       \
    ({                                                                                        \
        auto kiste_try_result_ = (expr);                                                      \
        if (!kiste_try_result_) return std::unexpected(std::move(kiste_try_result_).error()); \
        ::kiste::detail::take(std::move(kiste_try_result_));                                  \
    })

// KISTE_TRY_CTX(expr, fmt, args...): like KISTE_TRY, adding context on failure.
#define KISTE_TRY_CTX(expr, ...)                                                         \
    ({                                                                                   \
        auto kiste_try_result_ = (expr);                                                 \
        if (!kiste_try_result_)                                                          \
            return std::unexpected(                                                      \
                std::move(kiste_try_result_.error().context(fmt::format(__VA_ARGS__)))); \
        ::kiste::detail::take(std::move(kiste_try_result_));                             \
    })
