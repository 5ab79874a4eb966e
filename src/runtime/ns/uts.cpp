#include "runtime/ns/namespaces.hpp"

namespace kiste::runtime::ns {

Status set_names(Sys& sys, const ContainerSpec& spec) {
    if (!spec.ns_new(NsKind::Uts)) return {};
    if (!spec.hostname.empty())
        KISTE_TRY(
            reword(sys.sethostname(spec.hostname), "setting the hostname to '{}'", spec.hostname));
    if (!spec.domainname.empty())
        KISTE_TRY(reword(sys.setdomainname(spec.domainname), "setting the domain name to '{}'",
                         spec.domainname));
    return {};
}

}  // namespace kiste::runtime::ns
