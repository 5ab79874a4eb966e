// What kiste attach accepts as the sealed image it runs from.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include "attach/sealed_self.hpp"
#include "runtime/init_image.hpp"

namespace kiste::attach {
namespace {

TEST(AttachSealedImage, SealedMemfdCopyCounts) {
    auto image = runtime::sealed_copy("/proc/self/exe");
    ASSERT_TRUE(image) << image.error().message();
    EXPECT_TRUE(is_sealed_image(image->get()));
}

TEST(AttachSealedImage, ReadOnlyOverlayCounts) {
    char top[] = "/tmp/kiste-sealed-XXXXXX";
    char other[] = "/tmp/kiste-sealed-XXXXXX";
    ASSERT_NE(::mkdtemp(top), nullptr);
    ASSERT_NE(::mkdtemp(other), nullptr);
    const std::string file = std::string(top) + "/bin";
    {
        UniqueFd f(::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0755));
        ASSERT_TRUE(f);
    }
    UniqueFd mount;
    auto image = runtime::sealed_overlay(file, other, &mount);
    const bool made = image.has_value();
    if (made) {
        EXPECT_TRUE(is_sealed_image(image->get()));
    }
    image = fail("closed");
    mount.reset();
    ::unlink(file.c_str());
    ::rmdir(top);
    ::rmdir(other);
    if (!made) GTEST_SKIP() << "no overlayfs here (needs root)";
}

TEST(AttachSealedImage, PlainFilesAndUnsealedMemfdsDoNot) {
    UniqueFd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(self);
    EXPECT_FALSE(is_sealed_image(self.get()));
    UniqueFd mem(::memfd_create("probe", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    ASSERT_TRUE(mem);
    EXPECT_FALSE(is_sealed_image(mem.get()));
    // Sealed against growing only: still writable in place.
    ASSERT_EQ(::fcntl(mem.get(), F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SEAL), 0);
    EXPECT_FALSE(is_sealed_image(mem.get()));
}

}  // namespace
}  // namespace kiste::attach
