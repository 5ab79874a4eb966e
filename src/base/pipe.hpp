// A pipe as two owned ends.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "base/unique_fd.hpp"
#include "kiste/error.hpp"

namespace kiste {

struct Pipe {
    UniqueFd read;
    UniqueFd write;

    static Result<Pipe> make(int flags = O_CLOEXEC) {
        int fds[2];
        if (::pipe2(fds, flags) < 0) return fail_errno("pipe");
        return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
    }
};

// Everything until EOF (or an error other than EINTR).
inline std::string read_to_end(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return out;
    }
}

}  // namespace kiste
