#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/log.hpp"
#include "security/sysctl.hpp"

namespace kiste::security {
namespace {

namespace fs = std::filesystem;

ContainerSpec spec_with(std::initializer_list<NsKind> own) {
    ContainerSpec s;
    for (NsKind k : kAllNamespaces) s.namespaces[k].mode = NamespaceConfig::Mode::Host;
    for (NsKind k : own) s.namespaces[k].mode = NamespaceConfig::Mode::New;
    return s;
}

TEST(SecuritySysctl, Paths) {
    EXPECT_EQ(*sysctl_path("net.ipv4.ip_forward"), "net/ipv4/ip_forward");
    EXPECT_EQ(*sysctl_path("net/ipv4/conf/eth0.100/forwarding"),
              "net/ipv4/conf/eth0.100/forwarding");
    EXPECT_EQ(*sysctl_path("kernel.shmmax"), "kernel/shmmax");
    for (const char* bad : {"", "/net/ipv4/x", ".net", "net..ipv4", "net/../kernel/x", "net/./x",
                            "net.ipv4.", "net/ipv4/"})
        EXPECT_FALSE(sysctl_path(bad)) << bad;
}

TEST(SecuritySysctl, IpcSysctlsNeedOwnIpcNamespace) {
    const ContainerSpec own = spec_with({NsKind::Ipc});
    const ContainerSpec host = spec_with({NsKind::Net, NsKind::Uts});
    for (const char* k : {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                          "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                          "kernel.shm_rmid_forced", "fs.mqueue.msg_max", "fs/mqueue/queues_max"}) {
        EXPECT_TRUE(validate_sysctl(k, own)) << k;
        auto r = validate_sysctl(k, host);
        ASSERT_FALSE(r) << k;
        EXPECT_NE(r.error().message().find("IPC namespace"), std::string::npos);
    }
}

TEST(SecuritySysctl, NetSysctlsNeedOwnNetNamespace) {
    const ContainerSpec own = spec_with({NsKind::Net});
    const ContainerSpec host = spec_with({NsKind::Ipc, NsKind::Uts});
    for (const char* k :
         {"net.ipv4.ip_forward", "net.core.somaxconn", "net/ipv4/conf/eth0.100/forwarding"}) {
        EXPECT_TRUE(validate_sysctl(k, own)) << k;
        auto r = validate_sysctl(k, host);
        ASSERT_FALSE(r) << k;
        EXPECT_NE(r.error().message().find("network namespace"), std::string::npos) << k;
        EXPECT_NE(r.error().message().find(std::string("the sysctl ") + k), std::string::npos) << k;
    }
    // A joined namespace counts as the container's own.
    ContainerSpec joined = host;
    joined.namespaces[NsKind::Net] = {NamespaceConfig::Mode::Join, "/proc/42/ns/net"};
    EXPECT_TRUE(validate_sysctl("net.ipv4.ip_forward", joined));
    // No entry at all means the host's.
    ContainerSpec none;
    EXPECT_FALSE(validate_sysctl("net.ipv4.ip_forward", none));
}

TEST(SecuritySysctl, UtsSysctlsNeedOwnUtsNamespace) {
    EXPECT_TRUE(validate_sysctl("kernel.hostname", spec_with({NsKind::Uts})));
    EXPECT_TRUE(validate_sysctl("kernel.domainname", spec_with({NsKind::Uts})));
    EXPECT_FALSE(validate_sysctl("kernel.hostname", spec_with({NsKind::Net, NsKind::Ipc})));
}

TEST(SecuritySysctl, HostWideSysctlsAreRefused) {
    const ContainerSpec all = spec_with({NsKind::User, NsKind::Mount, NsKind::Uts, NsKind::Ipc,
                                         NsKind::Pid, NsKind::Net, NsKind::Cgroup, NsKind::Time});
    for (const char* k : {"kernel.panic", "kernel.sysrq", "vm.swappiness", "fs.file-max",
                          "kernel.msgmax_x", "kernel.core_pattern", "fs.mqueue", "netx.foo"}) {
        auto r = validate_sysctl(k, all);
        ASSERT_FALSE(r) << k;
        EXPECT_NE(r.error().message().find("is not namespaced"), std::string::npos) << k;
    }
}

TEST(SecuritySysctl, ValidateAllNamesTheBadOne) {
    ContainerSpec s = spec_with({NsKind::Ipc});
    s.sysctls = {{"kernel.shmmax", "1"}, {"net.ipv4.ip_forward", "1"}};
    auto r = validate_sysctls(s);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("the sysctl net.ipv4.ip_forward belongs to the network"),
              std::string::npos)
        << r.error().message();
    EXPECT_EQ(r.error().message().find("lxc."), std::string::npos) << r.error().message();
    s.namespaces[NsKind::Net].mode = NamespaceConfig::Mode::New;
    EXPECT_TRUE(validate_sysctls(s));
}

class SysctlDir : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/kiste-sysctl-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        fs::create_directories(dir_ / "net/ipv4/conf/eth0.100");
        fs::create_directories(dir_ / "kernel");
        touch("net/ipv4/ip_forward");
        touch("net/ipv4/conf/eth0.100/forwarding");
        touch("kernel/shmmax");
    }
    void TearDown() override { fs::remove_all(dir_); }
    void touch(const std::string& rel) { std::ofstream(dir_ / rel) << ""; }
    std::string read(const std::string& rel) {
        std::ifstream f(dir_ / rel);
        return std::string(std::istreambuf_iterator<char>(f), {});
    }
    fs::path dir_;
    Logger log_{LogLevel::Fatal};
};

TEST_F(SysctlDir, WritesValues) {
    ContainerSpec s = spec_with({NsKind::Net, NsKind::Ipc});
    s.sysctls = {{"net.ipv4.ip_forward", "1"},
                 {"net/ipv4/conf/eth0.100/forwarding", "0"},
                 {"kernel.shmmax", "4096"}};
    auto r = apply_sysctls(s, log_, dir_.string());
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(read("net/ipv4/ip_forward"), "1");
    EXPECT_EQ(read("net/ipv4/conf/eth0.100/forwarding"), "0");
    EXPECT_EQ(read("kernel/shmmax"), "4096");
}

TEST_F(SysctlDir, RefusesBeforeWritingAnything) {
    ContainerSpec s = spec_with({NsKind::Ipc});
    s.sysctls = {{"kernel.shmmax", "4096"}, {"net.ipv4.ip_forward", "1"}};
    EXPECT_FALSE(apply_sysctls(s, log_, dir_.string()));
    EXPECT_EQ(read("kernel/shmmax"), "");
}

TEST_F(SysctlDir, MissingSysctlNamesThePath) {
    ContainerSpec s = spec_with({NsKind::Net});
    s.sysctls = {{"net.ipv4.nonexistent", "1"}};
    auto r = apply_sysctls(s, log_, dir_.string());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ENOENT);
    EXPECT_NE(r.error().message().find("sysctl net.ipv4.nonexistent"), std::string::npos);
    EXPECT_NE(r.error().message().find("net/ipv4/nonexistent"), std::string::npos);
}

TEST_F(SysctlDir, DoesNotFollowSymlinksOutOfTheTree) {
    char outside_tmpl[] = "/tmp/kiste-sysctl-out-XXXXXX";
    int fd = ::mkstemp(outside_tmpl);
    ASSERT_GE(fd, 0);
    ::close(fd);
    fs::create_symlink(outside_tmpl, dir_ / "net/ipv4/evil");
    ContainerSpec s = spec_with({NsKind::Net});
    s.sysctls = {{"net.ipv4.evil", "pwned"}};
    EXPECT_FALSE(apply_sysctls(s, log_, dir_.string()));
    std::ifstream f(outside_tmpl);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(f), {}), "");
    ::unlink(outside_tmpl);
}

TEST_F(SysctlDir, NothingToDoWithoutSysctls) {
    ContainerSpec s;
    EXPECT_TRUE(apply_sysctls(s, log_, "/nonexistent"));
}

}  // namespace
}  // namespace kiste::security
