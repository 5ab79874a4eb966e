#include "harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cgroup/host.hpp"
#include "cgroup/placement.hpp"

extern char** environ;

namespace kiste::test {

namespace fs = std::filesystem;

RunResult run(const std::vector<std::string>& argv, const std::string& input,
              const std::vector<std::string>& extra_env) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) < 0 || ::pipe2(out, O_CLOEXEC) < 0 || ::pipe2(err, O_CLOEXEC) < 0)
        return {};
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        std::vector<std::string> env;
        for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
        env.insert(env.end(), extra_env.begin(), extra_env.end());
        std::vector<char*> cargv, cenv;
        for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
        cargv.push_back(nullptr);
        for (auto& e : env) cenv.push_back(e.data());
        cenv.push_back(nullptr);
        ::execve(cargv[0], cargv.data(), cenv.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (!input.empty()) (void)!::write(in[1], input.data(), input.size());
    ::close(in[1]);
    RunResult r;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_fds = 2;
    char buf[4096];
    while (open_fds > 0) {
        if (::poll(fds, 2, -1) < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
                continue;
            }
            (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

TempDir::TempDir() {
    char tmpl[] = "/tmp/kiste-test-XXXXXX";
    char* p = ::mkdtemp(tmpl);
    path_ = p != nullptr ? p : "";
    // Reachable by a container root mapped to an unprivileged host uid.
    if (!path_.empty()) ::chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
    if (path_.empty()) return;
    // Never descend into something still mounted: a test that leaked a mount
    // must show up as a leak, not wipe the host.
    std::error_code ec;
    if (mounts_matching(path_).empty()) fs::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::trunc);
    f << text;
}

std::string read_file(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void make_busybox_rootfs(const std::string& dir) {
    for (const char* d : {"bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp",
                          "root", "mnt", "var", "run", "home"})
        fs::create_directories(dir + "/" + d);
    fs::copy_file("/bin/busybox", dir + "/bin/busybox", fs::copy_options::overwrite_existing);
    RunResult list = run({"/bin/busybox", "--list-full"});
    std::istringstream ss(list.out);
    std::string applet;
    while (std::getline(ss, applet)) {
        if (applet.empty() || applet == "bin/busybox") continue;
        std::string link = dir + "/" + applet;
        fs::create_directories(fs::path(link).parent_path());
        std::string target = fs::relative(dir + "/bin/busybox", fs::path(link).parent_path());
        std::error_code ec;
        fs::create_symlink(target, link, ec);
    }
    ::chmod((dir + "/tmp").c_str(), 01777);
    write_file(dir + "/etc/passwd",
               "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n");
    write_file(dir + "/etc/group", "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n");
}

std::vector<std::string> mounts_matching(const std::string& needle) {
    std::vector<std::string> out;
    std::ifstream f("/proc/self/mountinfo");
    std::string line;
    while (std::getline(f, line))
        if (line.find(needle) != std::string::npos) out.push_back(line);
    return out;
}

std::string kiste_binary() {
    return KISTE_BINARY;
}

bool debian_tests_wanted() {
    const char* want = std::getenv("KISTE_TEST_DEBIAN");
    return want != nullptr && std::string(want) == "1";
}

std::string debian_cache_dir() {
    const char* dir = std::getenv("KISTE_CACHE_DIR");
    return dir != nullptr && *dir != '\0' ? std::string(dir)
                                          : std::string("/var/tmp/kiste-test-cache");
}

pid_t monitor_pid_in(const std::string& info_json) {
    const std::string key = "\"monitor_pid\": ";
    const auto pos = info_json.find(key);
    if (pos == std::string::npos) return 0;
    return static_cast<pid_t>(std::atol(info_json.c_str() + pos + key.size()));
}

}  // namespace kiste::test

namespace kiste::test {
namespace {

// kiste leaves an empty kiste.payload in each hierarchy for the next
// container (ManagerBase::remove_dirs); the tests made them, so they go when
// the tests are done, where they are empty (rmdir fails on one in use).
class RemovePayloadParents : public ::testing::Environment {
public:
    void TearDown() override {
        if (::geteuid() != 0) return;
        auto host = cgroup::discover_host();
        if (!host) return;
        for (const auto& h : host->hierarchies)
            ::rmdir((h.base + "/" + cgroup::kPayloadDir).c_str());
    }
};

[[maybe_unused]] ::testing::Environment* const kRemovePayloadParents =
    ::testing::AddGlobalTestEnvironment(new RemovePayloadParents);

}  // namespace
}  // namespace kiste::test
