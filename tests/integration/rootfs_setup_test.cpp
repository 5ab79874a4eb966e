// rootfs::setup()/finalize() for real, as root: each test forks a child that
// makes its own namespaces (user ns optional), forks the container's PID 1,
// runs the setup there and checks from inside what it sees. Failures come
// back as text over a pipe. The host must be untouched afterwards.
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "base/sys.hpp"
#include "rootfs/rootfs.hpp"

namespace kiste {
namespace {

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

#define REQUIRE_ROOT() \
    if (::geteuid() != 0) GTEST_SKIP() << "needs root"

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool write_file(const std::string& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
}

// Mount points (field 5 of mountinfo) of this process's mount namespace.
std::vector<std::string> mount_points() {
    std::vector<std::string> out;
    std::istringstream in(read_file("/proc/self/mountinfo"));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string id, parent, devno, root, mp;
        f >> id >> parent >> devno >> root >> mp;
        out.push_back(mp);
    }
    return out;
}

// The per-mount options (field 6 of mountinfo) of every mount at `mp`.
std::vector<std::string> mount_options_at(const std::string& mp) {
    std::vector<std::string> out;
    std::istringstream in(read_file("/proc/self/mountinfo"));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string id, parent, devno, root, point, opts;
        f >> id >> parent >> devno >> root >> point >> opts;
        if (point == mp) out.push_back(opts);
    }
    return out;
}

// A temp dir holding a minimal busybox rootfs and a host-side source dir.
class TempTree {
public:
    TempTree() {
        char tmpl[] = "/tmp/kiste-rootfs-it-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) return;
        dir_ = tmpl;
        ::chmod(dir_.c_str(), 0755);  // a user namespace's root must get through
        rootfs = dir_ + "/rootfs";
        src = dir_ + "/src";
        for (const char* d : {"", "/bin", "/etc", "/mnt", "/proc", "/sys", "/dev", "/tmp"})
            ::mkdir((rootfs + d).c_str(), 0755);
        ::mkdir(src.c_str(), 0755);
        write_file(src + "/marker", "kiste-marker\n");
        write_file(rootfs + "/etc/hostname", "busybox\n");
        // The traps: mount targets that point at the host's /etc.
        ::symlink("/etc", (rootfs + "/mnt/evil").c_str());
        ::symlink("../../../../../../../../tmp", (rootfs + "/mnt/evil-dots").c_str());
        ::symlink("/nonexistent-kiste-dir/x", (rootfs + "/mnt/dangling").c_str());
        copy_busybox();
    }
    ~TempTree() {
        if (dir_.empty()) return;
        // Never delete through a mount: if anything is still mounted below
        // the tree (a bug), detach it first.
        for (const std::string& mp : mount_points())
            if (mp.starts_with(dir_ + "/")) ::umount2(mp.c_str(), MNT_DETACH);
        ::nftw(
            dir_.c_str(),
            [](const char* p, const struct stat*, int, FTW*) { return ::remove(p) == 0 ? 0 : -1; },
            16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    }
    [[nodiscard]] bool ok() const { return !dir_.empty(); }
    [[nodiscard]] const std::string& dir() const { return dir_; }

    std::string rootfs;
    std::string src;

private:
    void copy_busybox() {
        int in = ::open("/bin/busybox", O_RDONLY | O_CLOEXEC);
        if (in < 0) return;
        std::string to = rootfs + "/bin/busybox";
        int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        char buf[65536];
        ssize_t n;
        while (out >= 0 && (n = ::read(in, buf, sizeof buf)) > 0)
            if (::write(out, buf, static_cast<size_t>(n)) != n) break;
        ::close(in);
        if (out >= 0) ::close(out);
        ::symlink("busybox", (rootfs + "/bin/sh").c_str());
    }
    std::string dir_;
};

struct ChildOutcome {
    int status = -1;
    std::string message;  // empty when the child found everything as expected
};

void send(int fd, const std::string& s) {
    (void)!::write(fd, s.data(), s.size());
}

// Forks A, which makes the namespaces (a user namespace mapped 0 -> 100000
// when `user_ns`) and forks B, the new pid namespace's PID 1. B runs `body`,
// whose returned text (empty: success) comes back here.
ChildOutcome run_isolated(int ns_flags, bool user_ns, const std::function<std::string()>& body) {
    int out[2], ready[2], go[2];
    if (::pipe2(out, O_CLOEXEC) < 0 || ::pipe2(ready, O_CLOEXEC) < 0 || ::pipe2(go, O_CLOEXEC) < 0)
        return {-1, "pipe2 failed"};
    pid_t a = ::fork();
    if (a == 0) {
        ::close(out[0]);
        ::close(ready[0]);
        ::close(go[1]);
        auto die = [&](const std::string& why) {
            send(out[1], why + ": " + std::strerror(errno));
            ::_exit(2);
        };
        if (user_ns) {
            if (::unshare(CLONE_NEWUSER) < 0) die("unshare(CLONE_NEWUSER)");
            send(ready[1], "u");
            char c;
            if (::read(go[0], &c, 1) != 1) die("waiting for the id maps");
            if (::setresgid(0, 0, 0) < 0 || ::setresuid(0, 0, 0) < 0) die("becoming ns root");
        }
        if (::unshare(ns_flags | CLONE_NEWPID) < 0) die("unshare");
        pid_t b = ::fork();
        if (b == 0) {
            std::string msg = body();
            send(out[1], msg);
            ::_exit(msg.empty() ? 0 : 1);
        }
        if (b < 0) die("fork");
        int st = 0;
        ::waitpid(b, &st, 0);
        ::_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    ::close(out[1]);
    ::close(ready[1]);
    ::close(go[0]);
    ChildOutcome r;
    if (user_ns) {
        char c;
        if (::read(ready[0], &c, 1) == 1) {
            const std::string p = "/proc/" + std::to_string(a);
            write_file(p + "/uid_map", "0 100000 65536\n");
            write_file(p + "/gid_map", "0 100000 65536\n");
        }
        send(go[1], "g");
    }
    char buf[4096];
    ssize_t n;
    while ((n = ::read(out[0], buf, sizeof buf)) > 0) r.message.append(buf, static_cast<size_t>(n));
    ::close(out[0]);
    ::close(ready[0]);
    ::close(go[1]);
    int st = 0;
    ::waitpid(a, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

// ---------------------------------------------------------------- checks run inside

std::string errs;  // per child process; appended by the CHECK helpers below

void check(bool ok, const std::string& what) {
    if (!ok) errs += what + "\n";
}

bool fs_is(const char* path, long magic) {
    struct statfs sf {};
    return ::statfs(path, &sf) == 0 && static_cast<long>(sf.f_type) == magic;
}

void check_chr(const char* path, unsigned maj, unsigned min) {
    struct stat st {};
    check(::stat(path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == maj &&
              minor(st.st_rdev) == min,
          fmt::format("{} is not the char device {}:{}", path, maj, min));
}

void check_link(const char* path, const char* to) {
    char buf[256] = {};
    ssize_t n = ::readlink(path, buf, sizeof buf - 1);
    check(n > 0 && std::string(buf) == to, fmt::format("{} is not a link to {}", path, to));
}

// Must not be writable; never writes. If it opens anyway it is closed at once.
void check_not_writable(const char* path) {
    errno = 0;
    int a = ::access(path, W_OK);
    check(a < 0 && (errno == EROFS || errno == EACCES),
          fmt::format("access({}, W_OK) = {} ({})", path, a, std::strerror(errno)));
    int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::close(fd);
        check(false, fmt::format("{} opened for writing", path));
    } else {
        check(errno == EROFS || errno == EACCES,
              fmt::format("open({}, O_WRONLY): {}", path, std::strerror(errno)));
    }
}

size_t count_fds() {
    size_t n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (::readdir(d) != nullptr) ++n;
        ::closedir(d);
    }
    return n;
}

MountEntry entry(std::string source, std::string target, unsigned long flags, std::string origin,
                 std::string fstype = "") {
    MountEntry e;
    e.source = std::move(source);
    e.target = std::move(target);
    e.flags = flags;
    e.origin = std::move(origin);
    e.fstype = std::move(fstype);
    return e;
}

ContainerSpec system_spec(const TempTree& t) {
    ContainerSpec s;
    s.rootfs.path = t.rootfs;
    s.auto_mounts.proc = AutoMounts::Proc::Mixed;
    s.auto_mounts.sys = AutoMounts::Sys::Mixed;
    s.namespaces[NsKind::Ipc].mode = NamespaceConfig::Mode::New;
    return s;
}

constexpr int kSystemNs = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;

TEST(RootfsIntegration, FullRootfsProcMixedSysMixedAutodev) {
    REQUIRE_ROOT();
    TempTree t;
    ASSERT_TRUE(t.ok());
    struct stat host_root {};
    ASSERT_EQ(::stat(t.rootfs.c_str(), &host_root), 0);
    const bool etc_marker_before = ::access("/etc/marker", F_OK) == 0;
    ASSERT_FALSE(etc_marker_before) << "the host has an /etc/marker already";

    // Some kernels (CONFIG_MAGIC_SYSRQ=n) have no sysrq-trigger to protect.
    const bool host_sysrq = ::access("/proc/sysrq-trigger", F_OK) == 0;
    ContainerSpec s = system_spec(t);
    s.mounts.push_back(entry(t.src, "/mnt/evil", MS_BIND, "it.conf:1"));
    s.mounts.push_back(entry(t.src, "mnt/evil-dots", MS_BIND, "it.conf:2"));
    MountEntry dir = entry("tmpfs", "/mnt/newdir/sub", 0, "it.conf:3", "tmpfs");
    dir.create = MountEntry::Create::Dir;
    dir.data = "size=1m";
    s.mounts.push_back(dir);
    MountEntry file = entry(t.src + "/marker", "/mnt/newfile", MS_BIND | MS_RDONLY, "it.conf:4");
    file.create = MountEntry::Create::File;
    s.mounts.push_back(file);
    MountEntry opt = entry("/nonexistent-kiste-source", "/mnt", MS_BIND, "it.conf:5");
    opt.optional = true;
    s.mounts.push_back(opt);

    ChildOutcome r = run_isolated(kSystemNs, false, [&]() -> std::string {
        // A pty for /dev/console.
        int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || ::grantpt(master) < 0 || ::unlockpt(master) < 0) return "no pty";
        int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0) return "no pty slave";
        rootfs::Options o;
        o.console_fd = slave;
        RealSys sys;
        Logger log(LogLevel::Error);
        const size_t fds_before = count_fds();
        if (auto st = rootfs::setup(s, o, sys, log); !st) return "setup: " + st.error().message();
        if (auto st = rootfs::finalize(s, o, sys, log); !st)
            return "finalize: " + st.error().message();
        check(count_fds() == fds_before, "setup left fds open");

        // "/" is the rootfs, the cwd is "/".
        struct stat root {};
        check(::stat("/", &root) == 0 && root.st_ino == host_root.st_ino &&
                  root.st_dev == host_root.st_dev,
              "/ is not the rootfs");
        char cwd[64] = {};
        check(::getcwd(cwd, sizeof cwd) != nullptr && std::string(cwd) == "/", "cwd is not /");
        check(::access("/bin/busybox", X_OK) == 0, "no /bin/busybox");
        for (const std::string& mp : mount_points())
            check(!mp.starts_with(t.dir()), "a host path is still mounted: " + mp);

        // /proc of the new pid namespace, with the host's knobs read-only.
        check(fs_is("/proc", PROC_SUPER_MAGIC), "/proc is not procfs");
        check(::getpid() == 1 && ::access("/proc/1/stat", R_OK) == 0, "not PID 1 in /proc");
        if (host_sysrq) check_not_writable("/proc/sysrq-trigger");
        check_not_writable("/proc/sys/kernel/hostname");
        check(::access("/proc/sys/net/ipv4/ip_forward", W_OK) == 0,
              "/proc/sys/net is not writable with an own net ns");

        // sysfs read-only but the own net devices.
        check(fs_is("/sys", SYSFS_MAGIC), "/sys is not sysfs");
        check_not_writable("/sys/kernel/rcu_expedited");
        check(::access("/sys/devices/virtual/net/lo/mtu", W_OK) == 0,
              "/sys/devices/virtual/net is not writable");
        // No writable layer left below the read-only ones.
        for (const char* mp : {"/sys", "/proc/sys"}) {
            const auto opts = mount_options_at(mp);
            check(!opts.empty(), fmt::format("nothing mounted at {}", mp));
            for (const std::string& o : opts)
                check(o.starts_with("ro,"), fmt::format("a mount at {} is {}", mp, o));
        }

        // /dev.
        check(fs_is("/dev", TMPFS_MAGIC), "/dev is not a tmpfs");
        check_chr("/dev/null", 1, 3);
        check_chr("/dev/zero", 1, 5);
        check_chr("/dev/full", 1, 7);
        check_chr("/dev/random", 1, 8);
        check_chr("/dev/urandom", 1, 9);
        check_chr("/dev/tty", 5, 0);
        struct stat null {};
        check(::stat("/dev/null", &null) == 0 && (null.st_mode & 0777) == 0666,
              "/dev/null is not 0666");
        check(fs_is("/dev/pts", DEVPTS_SUPER_MAGIC), "/dev/pts is not devpts");
        check_link("/dev/ptmx", "pts/ptmx");
        check_link("/dev/fd", "/proc/self/fd");
        check_link("/dev/stdin", "/proc/self/fd/0");
        check_link("/dev/stdout", "/proc/self/fd/1");
        check_link("/dev/stderr", "/proc/self/fd/2");
        check(::access("/dev/core", F_OK) < 0, "/dev/core exists");
        struct stat shm {};
        check(fs_is("/dev/shm", TMPFS_MAGIC) && ::stat("/dev/shm", &shm) == 0 &&
                  (shm.st_mode & 07777) == 01777,
              "/dev/shm is not a 1777 tmpfs");
        check(fs_is("/dev/mqueue", MQUEUE_MAGIC), "/dev/mqueue is not mqueue");
        int pt = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        check(pt >= 0, "no pty from the new devpts");
        if (pt >= 0) ::close(pt);
        int con = ::open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
        check(con >= 0 && ::isatty(con), "/dev/console is not the tty");
        if (con >= 0) ::close(con);
        ::close(slave);
        ::close(master);

        // The symlink traps were resolved inside the rootfs.
        check(read_file("/etc/marker") == "kiste-marker\n",
              "the bind onto mnt/evil did not land on the rootfs's /etc");
        check(read_file("/tmp/marker") == "kiste-marker\n",
              "the bind onto mnt/evil-dots did not land on the rootfs's /tmp");
        check(read_file("/etc/hostname") == "", "/etc is not covered by the bind");
        // create=dir and create=file.
        check(fs_is("/mnt/newdir/sub", TMPFS_MAGIC), "create=dir tmpfs missing");
        check(read_file("/mnt/newfile") == "kiste-marker\n", "create=file bind missing");
        check_not_writable("/mnt/newfile");
        return errs;
    });
    EXPECT_EQ(r.status, 0) << r.message;
    EXPECT_EQ(r.message, "");

    // Nothing reached the host.
    EXPECT_NE(::access("/etc/marker", F_OK), 0);
    EXPECT_NE(::access("/tmp/marker", F_OK), 0);
    for (const std::string& mp : mount_points()) {
        EXPECT_FALSE(mp.starts_with(t.dir())) << mp;
        EXPECT_NE(mp, "/etc");
        EXPECT_NE(mp, "/tmp");
    }
    // create=dir/file made their targets inside the rootfs, on the host's disk.
    EXPECT_EQ(::access((t.rootfs + "/mnt/newdir/sub").c_str(), F_OK), 0);
    EXPECT_EQ(::access((t.rootfs + "/mnt/newfile").c_str(), F_OK), 0);
}

TEST(RootfsIntegration, UserNamespaceBindsDeviceNodes) {
    REQUIRE_ROOT();
    TempTree t;
    ASSERT_TRUE(t.ok());
    ContainerSpec s = system_spec(t);
    s.namespaces[NsKind::User].mode = NamespaceConfig::Mode::New;
    const bool host_sysrq = ::access("/proc/sysrq-trigger", F_OK) == 0;
    s.uid_map = {IdMapping{0, 100000, 65536}};
    s.gid_map = {IdMapping{0, 100000, 65536}};
    ChildOutcome r = run_isolated(kSystemNs, true, [&]() -> std::string {
        rootfs::Options o;
        o.in_user_ns = true;
        RealSys sys;
        Logger log(LogLevel::Error);
        if (auto st = rootfs::setup(s, o, sys, log); !st) return "setup: " + st.error().message();
        if (auto st = rootfs::finalize(s, o, sys, log); !st)
            return "finalize: " + st.error().message();
        check(::access("/bin/busybox", X_OK) == 0, "no /bin/busybox");
        check_chr("/dev/null", 1, 3);
        check_chr("/dev/urandom", 1, 9);
        check_chr("/dev/tty", 5, 0);
        int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        check(fd >= 0 && ::write(fd, "x", 1) == 1, "/dev/null is not writable");
        if (fd >= 0) ::close(fd);
        check(fs_is("/dev/pts", DEVPTS_SUPER_MAGIC), "/dev/pts is not devpts");
        check(fs_is("/proc", PROC_SUPER_MAGIC), "/proc is not procfs");
        if (host_sysrq) check_not_writable("/proc/sysrq-trigger");
        check_not_writable("/proc/sys/kernel/hostname");
        check(fs_is("/sys", SYSFS_MAGIC), "/sys is not sysfs");
        return errs;
    });
    EXPECT_EQ(r.status, 0) << r.message;
    EXPECT_EQ(r.message, "");
}

TEST(RootfsIntegration, ApplicationContainerGetsAFreshProc) {
    REQUIRE_ROOT();
    TempTree t;
    ASSERT_TRUE(t.ok());
    const std::string target = t.dir() + "/app-mnt";
    ContainerSpec s;
    MountEntry tmp = entry("tmpfs", target, 0, "app.conf:1", "tmpfs");
    tmp.create = MountEntry::Create::Dir;
    s.mounts.push_back(tmp);
    ChildOutcome r = run_isolated(CLONE_NEWNS, false, [&]() -> std::string {
        RealSys sys;
        Logger log(LogLevel::Error);
        if (auto st = rootfs::setup(s, {}, sys, log); !st) return "setup: " + st.error().message();
        if (auto st = rootfs::finalize(s, {}, sys, log); !st)
            return "finalize: " + st.error().message();
        char self[32] = {};
        check(::readlink("/proc/self", self, sizeof self - 1) > 0 && std::string(self) == "1",
              std::string("/proc/self is ") + self + ", not 1");
        check(fs_is(target.c_str(), TMPFS_MAGIC), "the mount entry is missing");
        check(::access("/etc/hostname", F_OK) == 0 || ::access("/etc", F_OK) == 0,
              "the host's file system is not there");
        return errs;
    });
    EXPECT_EQ(r.status, 0) << r.message;
    EXPECT_EQ(r.message, "");
    // The mount stayed in the child's namespace; the directory was made on the host.
    struct statfs sf {};
    ASSERT_EQ(::statfs(target.c_str(), &sf), 0);
    EXPECT_NE(static_cast<long>(sf.f_type), static_cast<long>(TMPFS_MAGIC));
    for (const std::string& mp : mount_points()) EXPECT_NE(mp, target);
    // The host's /proc is the host's.
    EXPECT_NE(read_file("/proc/1/comm"), "");
}

TEST(RootfsIntegration, ReadonlyRootfs) {
    REQUIRE_ROOT();
    TempTree t;
    ASSERT_TRUE(t.ok());
    ContainerSpec s = system_spec(t);
    s.rootfs.readonly = true;
    // /proc/kcore may be absent (then skipped); /proc/timer_list is a file to hide.
    s.security.paths.masked = {"/proc/kcore", "/proc/timer_list", "/sys/firmware"};
    ChildOutcome r = run_isolated(kSystemNs, false, [&]() -> std::string {
        RealSys sys;
        Logger log(LogLevel::Error);
        if (auto st = rootfs::setup(s, {}, sys, log); !st) return "setup: " + st.error().message();
        if (auto st = rootfs::finalize(s, {}, sys, log); !st)
            return "finalize: " + st.error().message();
        errno = 0;
        int fd = ::open("/tmp-file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        check(fd < 0 && errno == EROFS, "/ is writable");
        if (fd >= 0) ::close(fd);
        // /dev stays writable (its own tmpfs).
        fd = ::open("/dev/shm/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        check(fd >= 0, "/dev/shm is not writable");
        if (fd >= 0) ::close(fd);
        struct stat tl {};
        check(::stat("/proc/timer_list", &tl) == 0 && S_ISCHR(tl.st_mode) &&
                  tl.st_rdev == makedev(1, 3),
              "/proc/timer_list is not masked by /dev/null");
        check(fs_is("/sys/firmware", TMPFS_MAGIC), "/sys/firmware is not masked");
        return errs;
    });
    EXPECT_EQ(r.status, 0) << r.message;
    EXPECT_EQ(r.message, "");
    // Read-only was the container's view only.
    EXPECT_EQ(::access(t.rootfs.c_str(), W_OK), 0);
}

TEST(RootfsIntegration, DanglingSymlinkTargetIsRefused) {
    REQUIRE_ROOT();
    TempTree t;
    ASSERT_TRUE(t.ok());
    ContainerSpec s;
    s.rootfs.path = t.rootfs;
    MountEntry e = entry("tmpfs", "/mnt/dangling/sub", 0, "it.conf:9", "tmpfs");
    e.create = MountEntry::Create::Dir;
    s.mounts.push_back(e);
    ChildOutcome r = run_isolated(kSystemNs, false, [&]() -> std::string {
        RealSys sys;
        Logger log(LogLevel::Fatal);
        auto st = rootfs::setup(s, {}, sys, log);
        if (st) return "setup succeeded through a dangling symlink";
        const std::string m = st.error().message();
        check(m.find("it.conf:9") != std::string::npos, "error without origin: " + m);
        check(m.find("dangling symlink") != std::string::npos, "unexpected error: " + m);
        return errs;
    });
    EXPECT_EQ(r.status, 0) << r.message;
    EXPECT_NE(::access("/nonexistent-kiste-dir", F_OK), 0);
    EXPECT_NE(::access((t.rootfs + "/nonexistent-kiste-dir").c_str(), F_OK), 0);
}

TEST(RootfsIntegration, MissingRootfsNamesIt) {
    REQUIRE_ROOT();
    ContainerSpec s;
    s.rootfs.path = "/nonexistent-kiste-rootfs";
    ChildOutcome r = run_isolated(CLONE_NEWNS, false, [&]() -> std::string {
        RealSys sys;
        Logger log(LogLevel::Fatal);
        auto st = rootfs::setup(s, {}, sys, log);
        if (st) return "setup succeeded without a rootfs";
        const std::string m = st.error().message();
        check(m.find("the rootfs /nonexistent-kiste-rootfs does not exist") != std::string::npos,
              "unexpected error: " + m);
        return errs;
    });
    EXPECT_EQ(r.status, 0) << r.message;
}

}  // namespace
}  // namespace kiste
