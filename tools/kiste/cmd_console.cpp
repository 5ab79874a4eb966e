// kiste console: attach this terminal to a container's console or tty, held
// by its monitor (lxc-console). Several clients may watch one tty.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "manager/manager.hpp"
#include "manager/protocol.hpp"

namespace kiste::cli {

namespace {

namespace proto = manager::proto;

// Puts the terminal in raw mode and restores it, however we leave.
class RawTerminal {
public:
    RawTerminal() {
        if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
            termios raw = saved_;
            ::cfmakeraw(&raw);
            // TCSANOW: keystrokes typed before we got here are kept, not flushed.
            active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
        }
    }
    ~RawTerminal() {
        if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

void send_winsize(int sock) {
    winsize ws{};
    if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
        (void)proto::send(sock, proto::Winsize, fmt::format("{} {}", ws.ws_row, ws.ws_col));
}

// Copies keystrokes to the monitor; ESC then 'q' detaches, ESC ESC sends ESC.
Status run_console(int sock, char esc, int tty) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    UniqueFd winch(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    fmt::print(stderr,
               "\nConnected to {}\nType <Ctrl+{} q> to exit the console, <Ctrl+{} Ctrl+{}> "
               "to enter Ctrl+{} itself\n\n",
               tty == 0 ? std::string("the console") : fmt::format("tty {}", tty),
               static_cast<char>(esc + 'a' - 1), static_cast<char>(esc + 'a' - 1),
               static_cast<char>(esc + 'a' - 1), static_cast<char>(esc + 'a' - 1));
    RawTerminal raw;
    send_winsize(sock);
    bool saw_esc = false;
    for (;;) {
        pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0}, {sock, POLLIN, 0}, {winch.get(), POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return fail_errno("console poll");
        }
        if (fds[2].revents & POLLIN) {
            signalfd_siginfo si{};
            while (::read(winch.get(), &si, sizeof si) > 0) {
            }
            send_winsize(sock);
        }
        if (fds[1].revents & (POLLIN | POLLHUP)) {
            auto p = KISTE_TRY(proto::receive(sock));
            if (!p) break;  // the container stopped
            if (p->kind == proto::Data)
                (void)!::write(STDOUT_FILENO, p->payload.data(), p->payload.size());
        }
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            char buf[4096];
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0) break;
            std::string out;
            for (ssize_t i = 0; i < n; ++i) {
                char c = buf[i];
                if (saw_esc) {
                    saw_esc = false;
                    if (c == 'q') {
                        if (!out.empty()) (void)proto::send(sock, proto::Data, out);
                        return {};
                    }
                    out.push_back(c);  // ESC ESC -> one ESC, ESC x -> x
                    continue;
                }
                if (c == esc) {
                    saw_esc = true;
                    continue;
                }
                out.push_back(c);
            }
            if (!out.empty()) KISTE_TRY(proto::send(sock, proto::Data, out));
        }
    }
    return {};
}

Status print_log(const state::ContainerPaths& paths) {
    if (auto cfg = manager::load_config(paths); cfg && !cfg->spec.console.logfile.empty()) {
        std::ifstream f(cfg->spec.console.logfile);
        if (!f) return fail_errno("opening the console log {}", cfg->spec.console.logfile);
        std::stringstream ss;
        ss << f.rdbuf();
        fmt::print("{}", ss.str());
        return {};
    }
    // No log file: the monitor keeps the recent console output.
    if (state::observe(paths).state == state::State::Stopped)
        return fail("container {} has no lxc.console.logfile and is not running", paths.name);
    std::string recent = KISTE_TRY(proto::request(paths.monitor_socket(), "log"));
    fmt::print("{}", recent);
    return {};
}

}  // namespace

void register_console(CLI::App& app, Context& ctx) {
    struct Args {
        std::string name;
        int tty = 0;
        std::string escape = "a";
        bool log = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("console", "attach to a container's console or tty");
    cmd->fallthrough();
    add_name_option(cmd);
    cmd->add_option("name", a->name, "container name")->required();
    cmd->add_option("-t,--tty", a->tty, "tty number (0: the console)");
    cmd->add_option("-e,--escape", a->escape, "escape letter: Ctrl+LETTER (default a)");
    cmd->add_flag("--log", a->log, "print the console's log and exit");
    cmd->callback([a, &ctx] {
        configure_logging(ctx);
        state::ContainerPaths paths{ctx.global.lxcpath, a->name};
        if (a->log) {
            auto st = print_log(paths);
            ctx.exit_code = st ? 0 : report(ctx, st.error());
            return;
        }
        char letter = a->escape.empty() ? 'a' : static_cast<char>(std::tolower(a->escape.back()));
        if (letter < 'a' || letter > 'z') {
            ctx.exit_code = report(ctx, Error::msg("-e takes a letter a..z (Ctrl+LETTER)"));
            return;
        }
        const state::Observed seen = state::observe(paths);
        if (seen.state == state::State::Stopped) {
            ctx.exit_code =
                report(ctx, Error::msg(fmt::format("container {} is not running", a->name)));
            return;
        }
        auto run = [&]() -> Status {
            auto connected = proto::connect_to(paths.monitor_socket());
            // No socket: a `kiste execute` whose config asks for no ttys
            // (or one that has not made them yet).
            const bool execute = !seen.recorded || seen.recorded->face == state::Face::Execute;
            if (!connected && execute)
                return fail(
                    "container {} runs under `kiste execute` and serves no ttys (its "
                    "lxc.tty.max is 0, or it is still starting): {}",
                    a->name, connected.error().message());
            UniqueFd sock = KISTE_TRY(std::move(connected));
            KISTE_TRY(proto::send(sock.get(), proto::Request, fmt::format("console {}", a->tty)));
            auto p = KISTE_TRY(proto::receive(sock.get()));
            if (!p) return fail("the monitor of {} closed the connection", a->name);
            if (p->kind == proto::Failure) return fail("{}", p->payload);
            return run_console(sock.get(), static_cast<char>(letter - 'a' + 1), a->tty);
        };
        auto st = run();
        ctx.exit_code = st ? 0 : report(ctx, st.error());
    });
}

}  // namespace kiste::cli
