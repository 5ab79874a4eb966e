#include <sched.h>

#include "kiste/spec.hpp"

namespace kiste {

const char* ns_name(NsKind k) {
    switch (k) {
        case NsKind::Mount: return "mnt";
        case NsKind::Uts: return "uts";
        case NsKind::Ipc: return "ipc";
        case NsKind::Pid: return "pid";
        case NsKind::Net: return "net";
        case NsKind::User: return "user";
        case NsKind::Cgroup: return "cgroup";
        case NsKind::Time: return "time";
    }
    return "?";
}

int ns_clone_flag(NsKind k) {
    switch (k) {
        case NsKind::Mount: return CLONE_NEWNS;
        case NsKind::Uts: return CLONE_NEWUTS;
        case NsKind::Ipc: return CLONE_NEWIPC;
        case NsKind::Pid: return CLONE_NEWPID;
        case NsKind::Net: return CLONE_NEWNET;
        case NsKind::User: return CLONE_NEWUSER;
        case NsKind::Cgroup: return CLONE_NEWCGROUP;
        case NsKind::Time: return CLONE_NEWTIME;
    }
    return 0;
}

}  // namespace kiste
