// `kiste set` on a stopped container rewrites its config: the file keeps
// its mode and owner (create makes it 0640), and a symlinked config stays a
// link. Root only (the owner).
#include <sys/stat.h>

#include <filesystem>

#include "cgroup/cgroup.hpp"
#include "harness.hpp"

namespace kiste::test {
namespace {

namespace fs = std::filesystem;

TEST(SetConfig, RewriteKeepsModeAndOwner) {
    KISTE_REQUIRE_ROOT();
    TempDir lxcpath, run_dir;
    const std::string config = lxcpath / "keep/config";
    fs::create_directories(lxcpath / "keep");
    write_file(config, "lxc.uts.name = keep\n");
    ASSERT_EQ(::chmod(config.c_str(), 0640), 0);
    ASSERT_EQ(::chown(config.c_str(), 0, 4242), 0);
    auto r = run({kiste_binary(), "-P", lxcpath.path(), "set", "keep", "memory=64M"}, {},
                 {"KISTE_RUN_DIR=" + run_dir.path()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(read_file(config).find("64"), std::string::npos) << read_file(config);
    struct stat st {};
    ASSERT_EQ(::stat(config.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(st.st_uid, 0u);
    EXPECT_EQ(st.st_gid, 4242u);
    EXPECT_FALSE(fs::exists(config + ".kiste-set.tmp"));
}

// A config that is a symlink (one shared by several containers) is written
// where it points and stays a link (found by a cold try: set replaced the
// link with a file, and the shared config silently diverged).
TEST(SetConfig, SymlinkedConfigIsWrittenThroughTheLink) {
    KISTE_REQUIRE_ROOT();
    TempDir lxcpath, run_dir, shared;
    const std::string target = shared / "shared.conf";
    write_file(target, "lxc.uts.name = linked\n");
    fs::create_directories(lxcpath / "linked");
    fs::create_symlink(target, lxcpath / "linked/config");
    auto r = run({kiste_binary(), "-P", lxcpath.path(), "set", "linked", "memory=64M"}, {},
                 {"KISTE_RUN_DIR=" + run_dir.path()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::is_symlink(lxcpath / "linked/config"));
    EXPECT_NE(read_file(target).find("64"), std::string::npos) << read_file(target);
    EXPECT_FALSE(fs::exists(target + ".kiste-set.tmp"));
}

// swap= on a v1 or hybrid host limits memory+swap, so it needs the memory
// limit it adds to: with --config-only and no memory= in the command, the
// config's own memory limit (of the host's layout, as at the start).
TEST(SetConfig, SwapConfigOnlyAddsToTheConfigsMemoryLimit) {
    auto layout = cgroup::detect_layout();
    ASSERT_TRUE(layout) << layout.error().message();
    TempDir lxcpath, run_dir;
    const std::string config = lxcpath / "i10cgroup-swap/config";
    fs::create_directories(lxcpath / "i10cgroup-swap");
    write_file(config,
               "lxc.uts.name = swap\n"
               "lxc.cgroup.memory.limit_in_bytes = 256M\n"
               "lxc.cgroup2.memory.max = 128M\n");
    auto r = run({kiste_binary(), "-P", lxcpath.path(), "set", "i10cgroup-swap", "swap=64M",
                  "--config-only"},
                 {}, {"KISTE_RUN_DIR=" + run_dir.path()});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string text = read_file(config);
    if (*layout == cgroup::Layout::V2)
        EXPECT_NE(text.find("lxc.cgroup2.memory.swap.max = 67108864"), std::string::npos) << text;
    else  // 256M + 64M
        EXPECT_NE(text.find("lxc.cgroup.memory.memsw.limit_in_bytes = 335544320"),
                  std::string::npos)
            << text;
}

}  // namespace
}  // namespace kiste::test
