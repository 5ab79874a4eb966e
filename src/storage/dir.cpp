// The dir backend: the rootfs is a directory of the host, used in place.
#include <sys/stat.h>

#include "storage/storage.hpp"

namespace kiste::storage {

namespace {

bool dir_detect(const RootfsSource& source) {
    struct stat st {};
    return source.kind == Kind::Dir && ::stat(source.path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::string> dir_mount(const RootfsSource& source) {
    if (source.path.empty() || source.path.front() != '/')
        return fail("rootfs {}: not an absolute path", source.path);
    return source.path;
}

}  // namespace

const Ops& dir_ops() {
    static const Ops ops{Kind::Dir, dir_detect, dir_mount};
    return ops;
}

}  // namespace kiste::storage
