// validate(): each problem of a spec in the runtime's own words (no LXC key),
// and the LXC front-end's telling of the same problem at the key and its
// file:line (config/lxc/validate.hpp).
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include "config/lxc/validate.hpp"
#include "spec/validate.hpp"

namespace kiste {
namespace {

using Mode = NamespaceConfig::Mode;

// A sound spec: a command, every namespace new, no rootfs.
ContainerSpec sound() {
    ContainerSpec s;
    s.process.args = {"/bin/true"};
    for (NsKind k : kAllNamespaces) s.namespaces[k].mode = Mode::New;
    s.namespaces[NsKind::User].mode = Mode::Host;
    s.namespaces[NsKind::Time].mode = Mode::Host;
    return s;
}

// The runtime's message: model-only, the field named as expected.
std::string model_error(const ContainerSpec& s, SpecField field) {
    auto p = find_problem(s);
    EXPECT_TRUE(p);
    if (!p) return {};
    EXPECT_EQ(p->field, field) << spec_field_name(p->field);
    auto st = validate(s);
    EXPECT_FALSE(st);
    const std::string msg = st ? std::string() : st.error().message();
    EXPECT_EQ(msg.find("lxc"), std::string::npos) << msg;
    return msg;
}

bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

TEST(SpecValidate, SoundSpecPasses) {
    EXPECT_TRUE(validate(sound()));
    EXPECT_FALSE(find_problem(sound()));
}

TEST(SpecValidate, NoCommand) {
    ContainerSpec s = sound();
    s.process.args.clear();
    EXPECT_EQ(model_error(s, SpecField::ProcessArgs), "no command to run");
}

TEST(SpecValidate, HostnameNeedsUts) {
    ContainerSpec s = sound();
    s.hostname = "web";
    s.namespaces[NsKind::Uts].mode = Mode::Host;
    EXPECT_TRUE(
        has(model_error(s, SpecField::Hostname), "a hostname needs a private UTS namespace"));
    s.hostname.clear();
    s.domainname = "example.org";
    EXPECT_TRUE(
        has(model_error(s, SpecField::Domainname), "a domain name needs a private UTS namespace"));
}

TEST(SpecValidate, UserNamespaceNeedsMappings) {
    ContainerSpec s = sound();
    s.namespaces[NsKind::User].mode = Mode::New;
    s.uid_map = {{0, 100000, 65536}};
    EXPECT_TRUE(has(model_error(s, SpecField::UserNamespace),
                    "a new user namespace needs both uid and gid mappings"));
}

TEST(SpecValidate, MappingsNeedUserNamespace) {
    ContainerSpec s = sound();
    s.uid_map = {{0, 100000, 65536}};
    EXPECT_TRUE(
        has(model_error(s, SpecField::UidMappings), "uid/gid mappings need a new user namespace"));
    s.uid_map.clear();
    s.gid_map = {{0, 100000, 65536}};
    EXPECT_TRUE(
        has(model_error(s, SpecField::GidMappings), "uid/gid mappings need a new user namespace"));
}

TEST(SpecValidate, BadMappingsNameTheEntry) {
    ContainerSpec s = sound();
    s.namespaces[NsKind::User].mode = Mode::New;
    s.uid_map = {{0, 100000, 65536}};
    s.gid_map = {{0, 100000, 65536}, {70000, 5, 0}};
    EXPECT_TRUE(
        has(model_error(s, SpecField::GidMappings), "the gid mapping 70000 -> 5 maps no ids"));
    EXPECT_EQ(find_problem(s)->index, 1u);
    s.gid_map = {{0, 4294967295u, 2}};
    EXPECT_TRUE(has(model_error(s, SpecField::GidMappings), "passes the largest 32-bit id"));
}

TEST(SpecValidate, TimeOffsetsNeedTimeNamespace) {
    ContainerSpec s = sound();
    s.time_offset_monotonic_ns = 5;
    EXPECT_TRUE(
        has(model_error(s, SpecField::TimeOffsets), "clock offsets need a new time namespace"));
}

TEST(SpecValidate, RootfsAndMountsNeedMountNamespace) {
    ContainerSpec s = sound();
    s.namespaces[NsKind::Mount].mode = Mode::Host;
    s.rootfs.path = "/tmp";
    EXPECT_TRUE(
        has(model_error(s, SpecField::RootfsPath), "a rootfs needs a private mount namespace"));
    s.rootfs.path.clear();
    MountEntry m;
    m.source = "/src";
    m.target = "/mnt";
    m.origin = "c.conf:7";
    s.mounts.push_back(m);
    // The spec's origin of a mount is its place, in front of the model's words.
    EXPECT_EQ(model_error(s, SpecField::Mounts),
              "c.conf:7: a mount (/src on /mnt) needs a private mount namespace (it would "
              "change the host's mounts)");
}

TEST(SpecValidate, RootfsMustBeADirectory) {
    ContainerSpec s = sound();
    s.rootfs.path = "/nonexistent-kiste-validate";
    const std::string missing = model_error(s, SpecField::RootfsPath);
    EXPECT_TRUE(has(missing, "the rootfs /nonexistent-kiste-validate")) << missing;
    EXPECT_EQ(find_problem(s)->error.code(), ENOENT);
    s.rootfs.path = "/dev/null";
    EXPECT_EQ(model_error(s, SpecField::RootfsPath), "the rootfs /dev/null: not a directory");
}

TEST(SpecValidate, WorkingDirectoryMustBeAbsolute) {
    ContainerSpec s = sound();
    s.process.cwd = "srv";
    EXPECT_EQ(model_error(s, SpecField::ProcessCwd),
              "the working directory srv: must be an absolute path");
}

TEST(SpecValidate, SoftLimitAboveHardIsRefused) {
    ContainerSpec s = sound();
    s.process.rlimits = {{RLIMIT_NOFILE, "nofile", 10, 20},
                         {RLIMIT_CORE, "core", RLIM_INFINITY, 0}};
    EXPECT_EQ(model_error(s, SpecField::Rlimits),
              "rlimit core: the soft limit unlimited is above the hard limit 0");
    EXPECT_EQ(find_problem(s)->index, 1u);
}

TEST(SpecValidate, SysctlOfTheHostIsRefused) {
    ContainerSpec s = sound();
    s.namespaces[NsKind::Net].mode = Mode::Host;
    s.sysctls = {{"kernel.shmmax", "1"}, {"net.ipv4.ip_forward", "1"}};
    EXPECT_TRUE(has(model_error(s, SpecField::Sysctls),
                    "the sysctl net.ipv4.ip_forward belongs to the network namespace"));
    EXPECT_EQ(find_problem(s)->index, 1u);
}

TEST(SpecValidate, FieldNamesAreTheOciSpecs) {
    EXPECT_STREQ(spec_field_name(SpecField::ProcessCwd), "process.cwd");
    EXPECT_STREQ(spec_field_name(SpecField::UidMappings), "linux.uidMappings");
    EXPECT_STREQ(spec_field_name(SpecField::RootfsPath), "root.path");
}

// ---------------------------------------------------------------- the LXC front-end

// The front-end's message for a config (and an optional change of the spec
// after to_spec, as the command line makes).
std::string lxc_error(std::string_view text, void (*change)(ContainerSpec&) = nullptr,
                      lxc::Purpose purpose = lxc::Purpose::Start) {
    auto cfg = lxc::load_string(text, "c.conf");
    EXPECT_TRUE(cfg) << cfg.error().message();
    if (!cfg) return {};
    auto spec = lxc::to_spec(*cfg, purpose);
    EXPECT_TRUE(spec) << spec.error().message();
    if (!spec) return {};
    if (spec->process.args.empty()) spec->process.args = {"/bin/true"};
    if (change) change(*spec);
    auto st = lxc::validate_spec(*cfg, *spec);
    EXPECT_FALSE(st);
    return st ? std::string() : st.error().message();
}

TEST(LxcValidate, SoundConfigPasses) {
    auto cfg = lxc::load_string("lxc.uts.name = web\n", "c.conf");
    ASSERT_TRUE(cfg);
    auto spec = lxc::to_spec(*cfg, lxc::Purpose::Start);
    ASSERT_TRUE(spec);
    EXPECT_TRUE(lxc::validate_spec(*cfg, *spec));
}

TEST(LxcValidate, HostnameAtItsKey) {
    EXPECT_EQ(lxc_error("lxc.uts.name = web\nlxc.namespace.keep = uts\n"),
              "c.conf:1: lxc.uts.name = web: a hostname needs a private UTS namespace (it "
              "would rename the host)");
}

TEST(LxcValidate, CommandLineIsTheOrigin) {
    auto cfg = lxc::load_string("lxc.namespace.keep = uts\n", "c.conf");
    ASSERT_TRUE(cfg);
    ASSERT_TRUE(lxc::apply_override(*cfg, "lxc.uts.name=app"));
    auto spec = lxc::to_spec(*cfg);
    ASSERT_TRUE(spec);
    spec->process.args = {"/bin/true"};
    auto st = lxc::validate_spec(*cfg, *spec);
    ASSERT_FALSE(st);
    EXPECT_TRUE(
        has(st.error().message(), "command line: lxc.uts.name = app: a hostname needs a private"))
        << st.error().message();
}

TEST(LxcValidate, MappingsAtTheIdmapKey) {
    EXPECT_EQ(lxc_error("lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"
                        "lxc.namespace.keep = user\n"),
              "c.conf:2: lxc.idmap: uid/gid mappings need a new user namespace");
    EXPECT_EQ(lxc_error("lxc.namespace.keep = user\nlxc.idmap = u 0 100000 65536\n"),
              "c.conf:2: lxc.idmap = u 0 100000 65536: uid/gid mappings need a new user "
              "namespace");
}

TEST(LxcValidate, UserNamespaceAtTheCloneKey) {
    EXPECT_EQ(lxc_error("lxc.namespace.clone = user mount pid\n"),
              "c.conf:1: lxc.namespace.clone = user mnt pid: a new user namespace needs both "
              "uid and gid mappings");
}

TEST(LxcValidate, TimeOffsetAtItsKey) {
    const std::string e =
        lxc_error("lxc.time.offset.boot = 10s\nlxc.namespace.clone = mount pid uts\n");
    EXPECT_TRUE(has(e, "c.conf:1: lxc.time.offset.boot = ")) << e;
    EXPECT_TRUE(has(e, ": clock offsets need a new time namespace")) << e;
}

TEST(LxcValidate, RootfsAtItsKey) {
    EXPECT_EQ(lxc_error("lxc.uts.name = x\nlxc.rootfs.path = dir:/dev/null\n"),
              "c.conf:2: lxc.rootfs.path = dir:/dev/null: the rootfs /dev/null: not a directory");
    const std::string missing = lxc_error("lxc.rootfs.path = /nonexistent-kiste-validate\n");
    EXPECT_TRUE(has(missing,
                    "c.conf:1: lxc.rootfs.path = /nonexistent-kiste-validate: the "
                    "rootfs /nonexistent-kiste-validate: "))
        << missing;
    EXPECT_TRUE(has(missing, "No such file or directory")) << missing;
}

TEST(LxcValidate, MountEntryAtItsLine) {
    EXPECT_EQ(lxc_error("lxc.namespace.keep = mnt\n"
                        "lxc.mount.entry = /a a none bind 0 0\n"
                        "lxc.mount.entry = /b b none bind 0 0\n"),
              "c.conf:2: lxc.mount.entry = /a a none bind 0 0: a mount (/a on a) needs a private "
              "mount namespace (it would change the host's mounts)");
}

TEST(LxcValidate, SysctlAtItsKey) {
    EXPECT_EQ(lxc_error("lxc.namespace.keep = net\nlxc.sysctl.net.ipv4.ip_forward = 1\n"),
              "c.conf:2: lxc.sysctl.net.ipv4.ip_forward = 1: the sysctl net.ipv4.ip_forward "
              "belongs to the network namespace and the container shares the host's (writing "
              "it would change the host)");
}

TEST(LxcValidate, RlimitAtItsKey) {
    // lxc.prlimit refuses soft > hard when it is read; a spec changed after
    // to_spec still names the key.
    const std::string e = lxc_error("lxc.prlimit.nofile = 10:20\n", [](ContainerSpec& s) {
        if (!s.process.rlimits.empty()) s.process.rlimits[0].soft = 30;
    });
    EXPECT_EQ(e,
              "c.conf:1: lxc.prlimit.nofile = 10:20: rlimit nofile: the soft limit 30 is above "
              "the hard limit 20");
}

TEST(LxcValidate, WorkingDirectoryAtItsKey) {
    // lxc.init.cwd refuses a relative path when it is read; a spec changed
    // after to_spec still names the key.
    const std::string e =
        lxc_error("lxc.init.cwd = /srv\n", [](ContainerSpec& s) { s.process.cwd = "srv"; });
    EXPECT_EQ(e,
              "c.conf:1: lxc.init.cwd = /srv: the working directory srv: must be an "
              "absolute path");
}

TEST(LxcValidate, FieldWithoutKeyKeepsTheModelsWords) {
    const std::string e = lxc_error("lxc.namespace.keep = uts\n",
                                    [](ContainerSpec& s) { s.domainname = "example.org"; });
    EXPECT_EQ(e, "a domain name needs a private UTS namespace (it would rename the host)");
}

TEST(LxcValidate, NoCommandAtTheInitKey) {
    const std::string e =
        lxc_error("lxc.init.cmd = /sbin/init\n", [](ContainerSpec& s) { s.process.args.clear(); });
    EXPECT_EQ(e, "c.conf:1: lxc.init.cmd = /sbin/init: no command to run");
}

}  // namespace
}  // namespace kiste
