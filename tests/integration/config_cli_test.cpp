// kiste config from the command line: --convert keeps what it cannot
// convert (with a warning naming file:line), -i rewrites the file in place,
// and a FIFO given as the config fails at once instead of hanging.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "harness.hpp"

namespace kiste {
namespace {

namespace fs = std::filesystem;

// `timeout` turns a hang into exit status 124 instead of a stuck suite.
test::RunResult kiste_config(const std::vector<std::string>& args) {
    if (::access("/usr/bin/timeout", X_OK) != 0) ADD_FAILURE() << "needs /usr/bin/timeout";
    std::vector<std::string> argv = {"/usr/bin/timeout", "20", test::kiste_binary(), "config"};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv);
}

TEST(ConfigCli, ConvertKeepsUnknownLinesAndRewritesInPlace) {
    test::TempDir dir;
    const std::string file = dir / "config";
    test::write_file(file, "lxc.utsname = web\nlxc.bogus = 1\nlxc.tty = 2\n");
    ASSERT_EQ(::chmod(file.c_str(), 0600), 0);

    auto r = kiste_config({"--convert", file});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "lxc.uts.name = web\nlxc.bogus = 1\nlxc.tty.max = 2\n");
    EXPECT_NE(r.err.find(file + ":2: unknown key 'lxc.bogus'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("kept as it is"), std::string::npos) << r.err;
    EXPECT_EQ(test::read_file(file), "lxc.utsname = web\nlxc.bogus = 1\nlxc.tty = 2\n");

    r = kiste_config({"--convert", file, "-i"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find(file + ":2: unknown key 'lxc.bogus'"), std::string::npos) << r.err;
    EXPECT_EQ(test::read_file(file), "lxc.uts.name = web\nlxc.bogus = 1\nlxc.tty.max = 2\n");
    EXPECT_EQ(test::read_file(file + ".backup"), "lxc.utsname = web\nlxc.bogus = 1\nlxc.tty = 2\n");
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);

    // -i only goes with --convert.
    r = kiste_config({"-f", file, "-i"});
    EXPECT_NE(r.code, 0);
}

TEST(ConfigCli, AFifoIsRefusedAtOnce) {
    test::TempDir dir;
    const std::string fifo = dir / "fifo.conf";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    for (const auto& args :
         {std::vector<std::string>{"-f", fifo}, std::vector<std::string>{"--convert", fifo}}) {
        auto r = kiste_config(args);
        EXPECT_NE(r.code, 124) << args[0] << " hung on a FIFO";
        EXPECT_NE(r.code, 0);
        EXPECT_NE(r.err.find("it is a FIFO, not a regular file"), std::string::npos) << r.err;
    }
}

}  // namespace
}  // namespace kiste
