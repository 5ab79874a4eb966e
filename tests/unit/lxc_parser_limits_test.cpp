// The config reader against hostile input: FIFOs and devices, files too
// large, include trees that multiply, huge unknown keys, NUL bytes and
// invalid UTF-8. Each load runs in a child process under a deadline and a
// memory limit, so that a regression fails the test instead of hanging it
// or filling the host's memory.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>

#include "config/lxc/config.hpp"
#include "config/lxc/limits.hpp"

namespace kiste::lxc {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Bounded {
    bool finished = false;  // the child ended by itself within the deadline
    std::string output;     // what `fn` returned
    double seconds = 0;
};

// Runs `fn` in a child with at most 2 GiB of address space, killed after
// `deadline_s`; its result comes back through a pipe.
Bounded run_bounded(const std::function<std::string()>& fn, int deadline_s = 10) {
    Bounded b;
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) {
        ADD_FAILURE() << "pipe2 failed";
        return b;
    }
    const auto start = Clock::now();
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
#ifndef __SANITIZE_ADDRESS__
        // (AddressSanitizer reserves terabytes of shadow address space: under
        // it only the deadline bounds the child.)
        struct rlimit as {
            size_t{2} << 30, size_t{2} << 30
        };
        ::setrlimit(RLIMIT_AS, &as);
#endif
        std::string out = fn();
        size_t done = 0;
        while (done < out.size()) {
            ssize_t n = ::write(p[1], out.data() + done, out.size() - done);
            if (n <= 0) ::_exit(3);
            done += static_cast<size_t>(n);
        }
        ::_exit(0);
    }
    ::close(p[1]);
    const auto deadline = start + std::chrono::seconds(deadline_s);
    char buf[4096];
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        struct pollfd pfd {
            p[0], POLLIN, 0
        };
        if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
        ssize_t n = ::read(p[0], buf, sizeof buf);
        if (n <= 0) break;
        b.output.append(buf, static_cast<size_t>(n));
    }
    ::close(p[0]);
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    b.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    b.finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return b;
}

// The error message of a load (or "loaded" when it succeeded).
std::string outcome(const Result<LxcConfig>& r) {
    return r ? std::string("loaded") : r.error().message();
}

class LxcParserLimits : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-limits-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name), std::ios::binary) << text;
        return path(name);
    }
    // Loads `text` as the file main.conf in the test directory, bounded.
    Bounded load_bounded(const std::string& text, int deadline_s = 10) const {
        const std::string main = write("main.conf", text);
        return run_bounded([main] { return outcome(load_file(main)); }, deadline_s);
    }
    fs::path dir_;
};

TEST_F(LxcParserLimits, IncludeOfAFifoFailsAtOnce) {
    const std::string fifo = path("fifo.conf");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto b = load_bounded("lxc.uts.name = x\nlxc.include = " + fifo + "\n");
    ASSERT_TRUE(b.finished) << "the load hung on a FIFO";
    EXPECT_EQ(b.output, path("main.conf") + ":2: lxc.include: cannot read '" + fifo +
                            "': it is a FIFO, not a regular file");
    EXPECT_LT(b.seconds, 2.0);
}

// `kiste execute|start|config -f FIFO` read the file with load_file.
TEST_F(LxcParserLimits, ConfigFileThatIsAFifoFailsAtOnce) {
    const std::string fifo = path("fifo.conf");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto b = run_bounded([fifo] { return outcome(load_file(fifo)); });
    ASSERT_TRUE(b.finished) << "the load hung on a FIFO";
    EXPECT_EQ(b.output, "cannot read '" + fifo + "': it is a FIFO, not a regular file");
}

TEST_F(LxcParserLimits, DevicesAreNeverRead) {
    if (::access("/dev/zero", R_OK) != 0) GTEST_SKIP() << "no readable /dev/zero here";
    auto b = load_bounded("lxc.include = /dev/zero\n");
    ASSERT_TRUE(b.finished) << "reading /dev/zero did not stop (" << b.seconds << " s)";
    EXPECT_EQ(b.output, path("main.conf") +
                            ":1: lxc.include: cannot read '/dev/zero': it is a character "
                            "device, not a regular file");
    EXPECT_LT(b.seconds, 2.0);
}

TEST_F(LxcParserLimits, AFileOverTheLimitIsRefusedUnread) {
    const std::string big = path("big.conf");
    { std::ofstream(big) << ""; }
    ASSERT_EQ(::truncate(big.c_str(), 1 << 30), 0);  // sparse: 1 GiB of nothing on disk
    auto b = load_bounded("lxc.include = " + big + "\n");
    ASSERT_TRUE(b.finished);
    EXPECT_EQ(b.output, path("main.conf") + ":1: lxc.include: cannot read '" + big +
                            "': 1073741824 bytes, over kiste's limit of 1 MiB for one config "
                            "file");
    EXPECT_LT(b.seconds, 2.0);
}

TEST_F(LxcParserLimits, AllFilesTogetherHaveALimit) {
    // One file of comments just under 1 MiB, included 17 times: the 16th
    // passes 16 MiB with main.conf's own bytes.
    const std::string part = write("part.conf", std::string(kMaxConfigFileBytes - 1, '#'));
    std::string text;
    for (int i = 0; i < 17; ++i) text += "lxc.include = " + part + "\n";
    auto b = load_bounded(text);
    ASSERT_TRUE(b.finished);
    EXPECT_EQ(b.output, path("main.conf") + ":16: lxc.include: '" + part +
                            "': the files of this config exceed kiste's limit of 16 MiB together");
}

// 41 files that each include the next one twice: 2^41 reads without a
// bound on the number of files (the depth bound alone does not stop the
// first 31 levels from doubling).
TEST_F(LxcParserLimits, IncludesThatMultiplyStopAtTheFileLimit) {
    for (int i = 1; i <= 41; ++i) {
        std::string text = "lxc.environment = LEVEL" + std::to_string(i) + "=1\n";
        if (i < 41) {
            const std::string next = path("f" + std::to_string(i + 1) + ".conf");
            text += "lxc.include = " + next + "\nlxc.include = " + next + "\n";
        }
        write("f" + std::to_string(i) + ".conf", text);
    }
    auto b = load_bounded("lxc.include = " + path("f1.conf") + "\n", 20);
    ASSERT_TRUE(b.finished) << "the doubling include chain did not end (" << b.seconds << " s)";
    EXPECT_NE(b.output.find("(kiste's limit"), std::string::npos) << b.output;
    EXPECT_LT(b.seconds, 5.0);

    // Within the depth limit: 21 levels, 2^21 files without the bound.
    write("f21.conf", "lxc.environment = LAST=1\n");
    auto b20 = load_bounded("lxc.include = " + path("f1.conf") + "\n", 20);
    ASSERT_TRUE(b20.finished) << "the doubling include chain did not end";
    EXPECT_NE(b20.output.find("one config may read at most 1000 files (kiste's limit"),
              std::string::npos)
        << b20.output;
    EXPECT_LT(b20.seconds, 5.0);
}

TEST_F(LxcParserLimits, AHugeUnknownKeyIsReportedQuickly) {
    const std::string key = "lxc." + std::string(80 * 1024, 'a');
    auto b = run_bounded([&] { return outcome(load_string(key + " = 1\n", "k.conf")); });
    ASSERT_TRUE(b.finished) << "the suggestion search did not end (" << b.seconds << " s)";
    // (The message shows the key cut short: compare its size before its text.)
    ASSERT_LT(b.output.size(), 200u) << b.output.substr(0, 200);
    EXPECT_EQ(b.output, "k.conf:1: unknown key '" + key.substr(0, 80) + "... (81924 bytes)'");
    EXPECT_LT(b.seconds, 0.5);
    // Typos still get their suggestion.
    auto r = load_string("lxc.uts.nmae = x\n", "k.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(),
              "k.conf:1: unknown key 'lxc.uts.nmae' (did you mean "
              "'lxc.uts.name'?)");
}

TEST_F(LxcParserLimits, NulBytesAreRejectedWithFileAndLine) {
    using namespace std::string_literals;
    auto r = load_string("lxc.uts.name = ok\nlxc.init.cmd = /bin/sh\0 -c evil\n"s, "n.conf");
    ASSERT_FALSE(r) << "the value was kept as '" << r->init_cmd << "'";
    EXPECT_EQ(r.error().message(),
              "n.conf:2: a NUL byte at column 23: a config file holds text "
              "only");
    // In a comment too: LXC would start a new line after it.
    r = load_string("# \0lxc.uts.name = x\n"s, "n.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(),
              "n.conf:1: a NUL byte at column 3: a config file holds text "
              "only");
    // From a file, with its path.
    const std::string file = write("nul.conf", "\nlxc.uts.name = a\0b\n"s);
    auto f = load_file(file);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().message(),
              file + ":2: a NUL byte at column 17: a config file holds text only");
}

TEST_F(LxcParserLimits, InvalidUtf8IsRejectedWithFileAndLine) {
    struct Case {
        std::string line;
        std::string message;
    };
    const Case cases[] = {
        {"lxc.uts.name = ab\xff", "column 18 (byte 0xff)"},
        {"lxc.uts.name = \xc3", "column 16 (byte 0xc3)"},              // cut short
        {"lxc.uts.name = \xc0\xaf", "column 16 (byte 0xc0)"},          // overlong '/'
        {"lxc.uts.name = \xed\xa0\x80", "column 16 (byte 0xed)"},      // a surrogate
        {"lxc.uts.name = \xf4\x90\x80\x80", "column 16 (byte 0xf4)"},  // above U+10FFFF
        {"lxc.uts.\x80name = x", "column 9 (byte 0x80)"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.line);
        auto r = load_string("# ok\n" + c.line + "\n", "u.conf");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().message(),
                  "u.conf:2: invalid UTF-8 at " + c.message + ": config lines must be UTF-8");
    }
    // Valid UTF-8 passes, and comments may hold anything but NUL (old
    // configs carry Latin-1 comments).
    auto ok = load_string(
        "# Gr\xf6\xdf"
        "e\nlxc.environment = GREETING=Gr\xc3\xbc\xc3\x9f Gott \xf0\x9f\x90\xb3\n",
        "u.conf");
    ASSERT_TRUE(ok) << ok.error().message();
    EXPECT_EQ(ok->environment.at(0).value, "GREETING=Gr\xc3\xbc\xc3\x9f Gott \xf0\x9f\x90\xb3");
}

}  // namespace
}  // namespace kiste::lxc
