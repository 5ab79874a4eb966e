#include <gtest/gtest.h>
#include <sys/mount.h>

#include "rootfs/options.hpp"

namespace kiste::rootfs {
namespace {

TEST(RootfsOptions, RootfsDirectoryIsTheDirWithoutATrailingSlash) {
    RootfsConfig r;
    EXPECT_EQ(*rootfs_directory(r), "");  // no rootfs
    r.path = "/var/lib/kiste/c1/rootfs/";
    EXPECT_EQ(*rootfs_directory(r), "/var/lib/kiste/c1/rootfs");
    r.path = "/";
    EXPECT_EQ(*rootfs_directory(r), "/");
    r.path = "rootfs";
    EXPECT_FALSE(rootfs_directory(r));
    // Only the source: the storage backend provides the directory.
    r.path.clear();
    r.source = {RootfsSource::Kind::Dir, "/srv/root", {}};
    EXPECT_EQ(*rootfs_directory(r), "/srv/root");
}

TEST(RootfsOptions, RootfsDirectoryRefusesAKindWithoutBackendByName) {
    RootfsConfig r;
    r.source = {RootfsSource::Kind::Overlay, "/lower", {"/upper"}};
    auto d = rootfs_directory(r);
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().message().find("rootfs kind overlay is not supported yet"),
              std::string::npos)
        << d.error().message();
}

TEST(RootfsOptions, MountOptionsSplitFlagsDataAndLxcExtras) {
    auto o = parse_mount_options("ro,nosuid,bind,mode=755, size=1m ,optional,create=dir,rslave");
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_EQ(o->flags, MS_RDONLY | MS_NOSUID | MS_BIND);
    EXPECT_EQ(o->propagation, MS_SLAVE | MS_REC);
    EXPECT_EQ(o->data, "mode=755,size=1m");
    EXPECT_TRUE(o->optional);
    EXPECT_EQ(o->create, MountEntry::Create::Dir);

    auto f = parse_mount_options("rbind,ro,rw,create=file,defaults");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->flags, MS_BIND | MS_REC);
    EXPECT_EQ(f->create, MountEntry::Create::File);
    EXPECT_FALSE(f->optional);
    EXPECT_EQ(f->data, "");

    auto empty = parse_mount_options("");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->flags, 0UL);
}

TEST(RootfsOptions, MountOptionsTableCoversLxcAndMount8) {
    auto o = parse_mount_options(
        "defaults,ro,rw,nosuid,suid,nodev,bind,rprivate,size=1m,"
        "optional,create=file,noauto,relative,lazytime,nostrictatime,strictatime,iversion,"
        "noiversion,silent,nofail,_netdev,user");
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_EQ(o->flags, static_cast<unsigned long>(MS_NODEV | MS_BIND | MS_LAZYTIME |
                                                   MS_STRICTATIME | MS_SILENT));
    EXPECT_EQ(o->propagation, static_cast<unsigned long>(MS_PRIVATE | MS_REC));
    // mount(8)'s own options never reach the kernel as data.
    EXPECT_EQ(o->data, "size=1m");
    EXPECT_TRUE(o->optional);
    EXPECT_TRUE(o->relative);
    EXPECT_EQ(o->create, MountEntry::Create::File);
}

TEST(RootfsOptions, MountOptionsRefuseTwoPropagationTypes) {
    auto two = parse_mount_options("bind,rslave,private");
    ASSERT_FALSE(two);
    EXPECT_NE(two.error().message().find("rslave and private"), std::string::npos)
        << two.error().message();
    // The same one twice is one request.
    auto same = parse_mount_options("rshared,rshared");
    ASSERT_TRUE(same);
    EXPECT_EQ(same->propagation, MS_SHARED | MS_REC);
}

TEST(RootfsOptions, MountOptionsRejectBadCreate) {
    auto o = parse_mount_options("bind,create=socket");
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().message().find("create=socket"), std::string::npos);
}

TEST(RootfsOptions, ContainerPathIsCleanedAndClampedAtTheRoot) {
    EXPECT_EQ(container_path("/mnt/x"), "mnt/x");
    EXPECT_EQ(container_path("mnt//x/./y/"), "mnt/x/y");
    EXPECT_EQ(container_path("/../../etc"), "etc");
    EXPECT_EQ(container_path("a/../../b"), "b");
    EXPECT_EQ(container_path("/"), "");
    EXPECT_EQ(container_path(""), "");
}

TEST(RootfsOptions, ContainerPathStripsALegacyHostRootfsPrefix) {
    const std::string root = "/var/lib/lxc/c1/rootfs";
    EXPECT_EQ(container_path("/var/lib/lxc/c1/rootfs/mnt", root), "mnt");
    EXPECT_EQ(container_path("/var/lib/lxc/c1/rootfs", root + "/"), "");
    // Only whole components: "rootfsX" is another directory.
    EXPECT_EQ(container_path("/var/lib/lxc/c1/rootfsX/mnt", root), "var/lib/lxc/c1/rootfsX/mnt");
    EXPECT_EQ(container_path("/mnt", "/"), "mnt");
}

TEST(RootfsOptions, FlagNames) {
    EXPECT_EQ(mount_flags_string(0), "0");
    EXPECT_EQ(mount_flags_string(MS_BIND | MS_REC | MS_RDONLY), "MS_RDONLY|MS_BIND|MS_REC");
    EXPECT_EQ(mount_flags_string(MS_PRIVATE | (1UL << 30)), "MS_PRIVATE|0x40000000");
}

}  // namespace
}  // namespace kiste::rootfs
