// The config `kiste create` writes before the template runs.
#include <gtest/gtest.h>

#include <algorithm>

#include "config/lxc/config.hpp"
#include "net/hwaddr.hpp"
#include "template/create_config.hpp"

namespace kiste::tmpl {
namespace {

ConfigPlan base_plan() {
    ConfigPlan p;
    p.template_desc = "busybox (/t/busybox)";
    p.template_args = {"--ttys", "2", "a b"};
    p.name = "c1";
    return p;
}

TEST(CreateConfig, HeaderAndDefaultsWithoutBase) {
    ConfigPlan p = base_plan();
    p.rootfs = RootfsSource{RootfsSource::Kind::Dir, "/var/lib/kiste/c1/rootfs", {}};
    std::string text = compose_config(p);
    EXPECT_NE(text.find("# Template used to create this container: busybox (/t/busybox)\n"),
              std::string::npos);
    EXPECT_NE(text.find("# Parameters passed to the template: --ttys 2 'a b'\n"),
              std::string::npos);
    auto cfg = lxc::load_string(text, "config");
    ASSERT_TRUE(cfg) << cfg.error().message();
    EXPECT_EQ(*lxc::get_key(*cfg, "lxc.rootfs.path"), "dir:/var/lib/kiste/c1/rootfs");
    EXPECT_EQ(*lxc::get_key(*cfg, "lxc.uts.name"), "c1");
    EXPECT_EQ(text.find("lxc.rootfs.managed"), std::string::npos);
}

TEST(CreateConfig, BaseKeptRootfsReplacedPathsAbsolute) {
    ConfigPlan p = base_plan();
    p.base_text =
        "# my settings\n"
        "lxc.uts.name = myhost\n"
        "lxc.rootfs = /old/place\n"
        "lxc.rootfs.path = dir:/other\n"
        "lxc.include = common.conf\n"
        "lxc.include = /abs/x.conf\n"
        "lxc.mount.fstab = fstab\n"
        "lxc.net.0.type = empty\n";
    p.base_dir = "/etc/mine";
    p.base_keys = {"lxc.uts.name", "lxc.rootfs.path", "lxc.mount.fstab", "lxc.net.0.type"};
    p.rootfs = RootfsSource{RootfsSource::Kind::Dir, "/l/c1/rootfs", {}};
    std::string text = compose_config(p);
    EXPECT_NE(text.find("# my settings\nlxc.uts.name = myhost\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# (replaced by kiste create) lxc.rootfs = /old/place\n"),
              std::string::npos);
    EXPECT_NE(text.find("# (replaced by kiste create) lxc.rootfs.path = dir:/other\n"),
              std::string::npos);
    EXPECT_NE(text.find("lxc.include = /etc/mine/common.conf\n"), std::string::npos);
    EXPECT_NE(text.find("lxc.include = /abs/x.conf\n"), std::string::npos);
    EXPECT_NE(text.find("lxc.mount.fstab = /etc/mine/fstab\n"), std::string::npos);
    EXPECT_NE(text.find("lxc.rootfs.path = dir:/l/c1/rootfs\n"), std::string::npos);
    // lxc.uts.name was set: not added again.
    EXPECT_EQ(text.find("lxc.uts.name = c1"), std::string::npos);
}

TEST(CreateConfig, NoneKeepsTheRootfsAndMarksItUnmanaged) {
    ConfigPlan p = base_plan();
    p.base_text = "lxc.rootfs.path = dir:/srv/root\n";
    p.base_keys = {"lxc.rootfs.path"};
    p.managed = ConfigPlan::Managed::ZeroUnlessSet;
    std::string text = compose_config(p);
    auto cfg = lxc::load_string(text, "config");
    ASSERT_TRUE(cfg) << cfg.error().message();
    EXPECT_EQ(cfg->rootfs_path, "dir:/srv/root");
    EXPECT_FALSE(cfg->spec.rootfs.managed);

    // The user said managed = 1 explicitly: theirs.
    p.base_text += "lxc.rootfs.managed = 1\n";
    p.base_keys.insert("lxc.rootfs.managed");
    cfg = lxc::load_string(compose_config(p), "config");
    ASSERT_TRUE(cfg);
    EXPECT_TRUE(cfg->spec.rootfs.managed);

    // No rootfs at all: nothing about managing one.
    ConfigPlan bare = base_plan();
    bare.managed = ConfigPlan::Managed::ZeroUnlessSet;
    EXPECT_EQ(compose_config(bare).find("managed"), std::string::npos);
}

TEST(CreateConfig, DirForcesUnmanaged) {
    ConfigPlan p = base_plan();
    p.base_text = "lxc.rootfs.managed = 1\n";
    p.base_keys = {"lxc.rootfs.managed"};
    p.rootfs = RootfsSource{RootfsSource::Kind::Dir, "/srv/tree", {}};
    p.managed = ConfigPlan::Managed::ForceZero;
    auto cfg = lxc::load_string(compose_config(p), "config");
    ASSERT_TRUE(cfg) << cfg.error().message();
    EXPECT_EQ(cfg->rootfs_path, "dir:/srv/tree");
    EXPECT_FALSE(cfg->spec.rootfs.managed);
}

// A template that builds LXCPATH/NAME/rootfs from the config of a -t dir
// container: that config's managed = 0 was about the user's directory, and
// kept it would make the new container's own rootfs undestroyable.
TEST(CreateConfig, BuiltRootfsResetsManaged) {
    ConfigPlan p = base_plan();
    p.base_text = "lxc.rootfs.path = dir:/srv/tree\nlxc.rootfs.managed = 0\n";
    p.base_keys = {"lxc.rootfs.path", "lxc.rootfs.managed"};
    p.rootfs = RootfsSource{RootfsSource::Kind::Dir, "/var/lib/kiste/c1/rootfs", {}};
    p.managed = ConfigPlan::Managed::Reset;
    auto cfg = lxc::load_string(compose_config(p), "config");
    ASSERT_TRUE(cfg) << cfg.error().message();
    EXPECT_EQ(cfg->rootfs_path, "dir:/var/lib/kiste/c1/rootfs");
    EXPECT_TRUE(cfg->spec.rootfs.managed);

    // Set by an lxc.include (not a line of -f's own): overridden.
    p.base_text = "lxc.include = /x/common.conf\n";
    EXPECT_NE(compose_config(p).find("lxc.rootfs.managed = 1\n"), std::string::npos);
}

// Two containers made from one config must not share a MAC: LXC's 'x'
// digits are filled (lxc-create), a fixed address is replaced by a new
// 00:16:3e:xx:xx:xx one (lxc-copy) and kept as a comment.
TEST(CreateConfig, EachContainerGetsItsOwnMac) {
    ConfigPlan p = base_plan();
    p.base_text =
        "lxc.net.0.type = veth\n"
        "lxc.net.0.hwaddr = 00:16:3e:12:34:56\n"
        "lxc.net.1.type = veth\n"
        "lxc.net.1.hwaddr = 10:66:6a:xx:xx:xx\n";
    p.complete_hwaddr = [](const std::string& pattern) {
        std::string s = pattern;
        std::replace(s.begin(), s.end(), 'x', '7');
        return s;
    };
    std::string text = compose_config(p);
    EXPECT_NE(text.find("# (replaced by kiste create: a MAC of its own) "
                        "lxc.net.0.hwaddr = 00:16:3e:12:34:56\n"
                        "lxc.net.0.hwaddr = 00:16:3e:77:77:77\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\nlxc.net.1.hwaddr = 10:66:6a:77:77:77\n"), std::string::npos) << text;

    ConfigPlan legacy = base_plan();
    legacy.base_text = "lxc.network.type = veth\nlxc.network.hwaddr = 00:16:3e:aa:bb:cc\n";
    legacy.complete_hwaddr = p.complete_hwaddr;
    EXPECT_NE(compose_config(legacy).find("\nlxc.network.hwaddr = 00:16:3e:77:77:77\n"),
              std::string::npos);

    // With kiste's random generator: two creates, two addresses, neither the source's.
    p.complete_hwaddr = net::complete_hwaddr;
    auto first = lxc::load_string(compose_config(p), "first");
    auto second = lxc::load_string(compose_config(p), "second");
    ASSERT_TRUE(first && second);
    ASSERT_EQ(first->net.size(), 2u);
    ASSERT_EQ(second->net.size(), 2u);
    for (unsigned i = 0; i < 2; ++i) {
        const std::string& a = first->net.at(i).hwaddr;
        const std::string& b = second->net.at(i).hwaddr;
        EXPECT_NE(a, b);
        EXPECT_EQ(a.find('x'), std::string::npos) << a;
        EXPECT_NE(a, "00:16:3e:12:34:56");
    }
    EXPECT_TRUE(first->net.at(0).hwaddr.starts_with("00:16:3e:"));
    EXPECT_TRUE(first->net.at(1).hwaddr.starts_with("10:66:6a:"));
}

TEST(CreateConfig, LineKey) {
    EXPECT_EQ(line_key("  lxc.rootfs.path = x"), "lxc.rootfs.path");
    EXPECT_EQ(line_key("lxc.rootfs=x"), "lxc.rootfs");
    EXPECT_EQ(line_key("# lxc.rootfs = x"), "");
    EXPECT_EQ(line_key(""), "");
    EXPECT_EQ(line_key("no equals"), "");
}

}  // namespace
}  // namespace kiste::tmpl
