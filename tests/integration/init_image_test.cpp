// The sealed image of kiste-init (src/runtime/init_image.cpp): both ways keep
// the host file out of reach of a write, and neither leaves a mount behind.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/log.hpp"
#include "harness.hpp"
#include "runtime/init_image.hpp"

namespace kiste::test {
namespace {

std::string init_binary() {
    const std::string k = kiste_binary();
    return k.substr(0, k.find_last_of('/') + 1) + "kiste-init";
}

std::string link_of(int fd) {
    char buf[4096];
    const std::string p = "/proc/self/fd/" + std::to_string(fd);
    ssize_t n = ::readlink(p.c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// The same file (same size), and a write through the magic link, as a
// container would try through /proc/1/exe, fails with `write_errno` (at the
// open for the overlay, at the write for the sealed memfd).
void expect_sealed(int fd, const std::string& original, int write_errno) {
    struct stat a {
    }, b{};
    ASSERT_EQ(::fstat(fd, &a), 0);
    ASSERT_EQ(::stat(original.c_str(), &b), 0);
    EXPECT_EQ(a.st_size, b.st_size);
    const std::string p = "/proc/self/fd/" + std::to_string(fd);
    errno = 0;
    int w = ::open(p.c_str(), O_WRONLY | O_CLOEXEC);
    if (w >= 0) {
        EXPECT_LT(::write(w, "x", 1), 0) << "writable through " << p;
        ::close(w);
    }
    EXPECT_EQ(errno, write_errno);
}

// Whether overlayfs is known to stack on the file system holding `path`
// (where it is not, say an overlay or a network file system, kiste falls
// back to the memfd copy and the overlay test has nothing to prove).
bool stackable(const std::string& path) {
    struct statfs st {};
    if (::statfs(path.c_str(), &st) != 0) return false;
    switch (static_cast<unsigned long>(st.f_type)) {
        case EXT4_SUPER_MAGIC:
        case XFS_SUPER_MAGIC:
        case BTRFS_SUPER_MAGIC:
        case TMPFS_MAGIC: return true;
        default: return false;
    }
}

TEST(InitImage, OverlayIsReadOnlyDetachedAndNamesNoHostPath) {
    KISTE_REQUIRE_ROOT();
    TempDir t;
    const std::string mounts_before = read_file("/proc/self/mountinfo");
    auto img = runtime::sealed_overlay(init_binary(), t.path());
    if (!img && !(stackable(init_binary()) && stackable(t.path())))
        GTEST_SKIP() << "overlayfs does not stack here (" << img.error().message()
                     << "); kiste uses the memfd copy";
    ASSERT_TRUE(img) << img.error().message();
    expect_sealed(img->get(), init_binary(), EROFS);
    EXPECT_EQ(link_of(img->get()), "/kiste-init");
    // Never attached: the mount table of this namespace did not change.
    EXPECT_EQ(read_file("/proc/self/mountinfo"), mounts_before);
}

TEST(InitImage, MemfdCopyIsSealed) {
    auto img = runtime::sealed_copy(init_binary());
    ASSERT_TRUE(img) << img.error().message();
    expect_sealed(img->get(), init_binary(), EPERM);
    EXPECT_TRUE(link_of(img->get()).starts_with("/memfd:kiste-init")) << link_of(img->get());
}

TEST(InitImage, FallsBackToTheCopyWhereOverlayCannotBeMade) {
    // A second layer that does not exist: the overlay fails, the copy serves.
    Logger log;
    auto img = runtime::sealed_image(init_binary(), "/proc/kiste-no-such-dir", log);
    ASSERT_TRUE(img) << img.error().message();
    EXPECT_TRUE(link_of(img->get()).starts_with("/memfd:")) << link_of(img->get());
    // A relative path cannot be an overlay layer, nor a layer above the other.
    EXPECT_FALSE(runtime::sealed_overlay("kiste-init", "/tmp"));
    EXPECT_FALSE(runtime::sealed_overlay(init_binary(), "/"));
}

}  // namespace
}  // namespace kiste::test
