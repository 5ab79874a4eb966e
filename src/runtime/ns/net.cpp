#include "runtime/ns/namespaces.hpp"

namespace kiste::runtime::ns {

Status loopback_up(Sys& sys) {
    return sys.interface_up("lo");
}

}  // namespace kiste::runtime::ns
