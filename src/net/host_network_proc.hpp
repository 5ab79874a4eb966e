// The kernel- and process-facing half of host networks (internal to src/net):
// the bridge and dnsmasq.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/log.hpp"
#include "kiste/error.hpp"

namespace kiste::net {

// Creates bridge `name`, up; fails with "interface NAME exists already" when
// anything of that name exists (the kernel's check, so two creates race safely).
Status create_bridge(const std::string& name);

struct DnsmasqProcess {
    pid_t pid = 0;
    uint64_t start_time = 0;
};

// Runs dnsmasq with `argv` (argv[0] "dnsmasq" is looked up in the sbin
// directories); it daemonizes and writes `pid_file`. Its stderr goes to
// `log_file`, whose text an error quotes.
Result<DnsmasqProcess> start_dnsmasq(const std::vector<std::string>& argv,
                                     const std::string& pid_file, const std::string& log_file);

// Ends it (SIGTERM, then SIGKILL after 3 s) when it is still that dnsmasq;
// a process that is gone, or is something else now, is left alone.
Status stop_dnsmasq(const DnsmasqProcess& p, const std::string& pid_file, Logger& log);

}  // namespace kiste::net
