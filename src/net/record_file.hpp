// The network record of a `kiste execute` run: RUNROOT/NAME.net.json, kept
// only while it lists something. A kiste killed with -9 leaves it behind;
// the next `kiste execute` undoes what it lists (cleanup_stale_records).
// (A system container keeps its record in its state.json instead.)
#pragma once

#include <functional>
#include <string>

#include "base/log.hpp"
#include "net/record.hpp"

namespace kiste::net {

std::string record_file(const std::string& run_root, const std::string& name);
// Writes the record (creating run_root), or removes the file when it is empty.
Status save_record_file(const std::string& path, const HostRecord& r);
Result<HostRecord> load_record_file(const std::string& path);

// Undoes and removes every NAME.net.json in run_root whose run is over
// (`alive(NAME)` false: its name lock is free).
void cleanup_stale_records(const std::string& run_root,
                           const std::function<bool(const std::string&)>& alive, Logger& log);

}  // namespace kiste::net
