#include "base/run_root.hpp"

#include <cstdlib>

namespace kiste {

std::string run_root() {
    const char* env = std::getenv("KISTE_RUN_DIR");
    return (env != nullptr && *env != '\0') ? std::string(env) : std::string("/run/kiste");
}

}  // namespace kiste
