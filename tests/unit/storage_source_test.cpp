// The rootfs source syntax (lxc.rootfs.path) and the kind -> backend table.
#include <gtest/gtest.h>

#include "storage/storage.hpp"

namespace kiste::storage {
namespace {

using K = RootfsSource::Kind;

TEST(StorageSource, DirWithAndWithoutPrefix) {
    auto a = parse_source("dir:/var/lib/kiste/c1/rootfs/");
    ASSERT_TRUE(a) << a.error().message();
    EXPECT_EQ(a->kind, K::Dir);
    EXPECT_EQ(a->path, "/var/lib/kiste/c1/rootfs");
    EXPECT_TRUE(a->options.empty());
    auto b = parse_source(" /srv/root ");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->kind, K::Dir);
    EXPECT_EQ(b->path, "/srv/root");
    EXPECT_EQ(parse_source("/")->path, "/");
    EXPECT_EQ(parse_source("")->kind, K::None);
    EXPECT_EQ(format_source(*a), "dir:/var/lib/kiste/c1/rootfs");
}

TEST(StorageSource, OtherKindsAsLxcNamesThem) {
    auto o = parse_source("overlay:/lower:/upper");
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_EQ(o->kind, K::Overlay);
    EXPECT_EQ(o->path, "/lower");
    EXPECT_EQ(o->options, std::vector<std::string>{"/upper"});
    EXPECT_EQ(format_source(*o), "overlay:/lower:/upper");
    EXPECT_EQ(parse_source("overlayfs:/a:/b")->kind, K::Overlay);
    EXPECT_EQ(parse_source("loop:/srv/c1.img")->kind, K::Loop);
    EXPECT_EQ(parse_source("loop:/srv/c1.img")->path, "/srv/c1.img");
    EXPECT_EQ(parse_source("btrfs:/srv/sub")->kind, K::Btrfs);
    EXPECT_EQ(parse_source("zfs:tank/c1")->path, "tank/c1");
    EXPECT_EQ(parse_source("lvm:/dev/vg/c1")->kind, K::Lvm);
    EXPECT_EQ(parse_source("rbd:pool/c1")->kind, K::Rbd);
    auto n = parse_source("nbd:/srv/c1.qcow2:1");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->path, "/srv/c1.qcow2");
    EXPECT_EQ(n->options, std::vector<std::string>{"1"});
}

TEST(StorageSource, BadSourcesSayWhy) {
    auto rel = parse_source("rootfs");
    ASSERT_FALSE(rel);
    EXPECT_NE(rel.error().message().find("not an absolute path"), std::string::npos);
    EXPECT_FALSE(parse_source("dir:rootfs"));
    auto unknown = parse_source("ceph:/x");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message().find("unknown rootfs kind 'ceph'"), std::string::npos);
    auto half = parse_source("overlay:/lower");
    ASSERT_FALSE(half);
    EXPECT_NE(half.error().message().find("LOWER:UPPER"), std::string::npos);
    EXPECT_FALSE(parse_source("loop:img"));
    EXPECT_FALSE(parse_source("zfs:"));
}

TEST(StorageSource, OnlyDirHasABackend) {
    auto dir = root_directory(*parse_source("dir:/srv/root"));
    ASSERT_TRUE(dir);
    EXPECT_EQ(*dir, "/srv/root");
    EXPECT_EQ((*ops_for(*parse_source("/srv/root")))->kind, K::Dir);
    EXPECT_TRUE(dir_ops().detect(*parse_source("/")));
    EXPECT_FALSE(dir_ops().detect(*parse_source("/nonexistent-kiste-rootfs")));
    for (const char* other :
         {"overlay:/a:/b", "loop:/f", "btrfs:/x", "zfs:p/d", "lvm:/dev/v/l", "rbd:p/i", "nbd:/f"}) {
        auto src = parse_source(other);
        ASSERT_TRUE(src) << other;
        auto r = root_directory(*src);
        ASSERT_FALSE(r) << other;
        EXPECT_NE(r.error().message().find(
                      fmt::format("rootfs kind {} is not supported yet", kind_name(src->kind))),
                  std::string::npos)
            << r.error().message();
    }
    EXPECT_FALSE(ops_for(RootfsSource{}));
}

}  // namespace
}  // namespace kiste::storage
