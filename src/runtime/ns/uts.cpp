#include <unistd.h>

#include "runtime/ns/namespaces.hpp"

namespace kiste::runtime::ns {

Status set_names(const ContainerSpec& spec) {
    if (!spec.ns_new(NsKind::Uts)) return {};
    if (!spec.hostname.empty() && ::sethostname(spec.hostname.data(), spec.hostname.size()) < 0)
        return fail_errno("setting the hostname to '{}'", spec.hostname);
    if (!spec.domainname.empty() &&
        ::setdomainname(spec.domainname.data(), spec.domainname.size()) < 0)
        return fail_errno("setting the domain name to '{}'", spec.domainname);
    return {};
}

}  // namespace kiste::runtime::ns
