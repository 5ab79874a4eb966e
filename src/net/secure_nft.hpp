// Runs nftables scripts through the `nft` program (`nft -f -`), for the
// secure network and the host networks' NAT rule. One batch is one kernel
// transaction: it applies whole or not at all.
#pragma once

#include <string>
#include <string_view>

#include "kiste/error.hpp"

namespace kiste::net {

// Runs `script` (nft's language, as `nft -f` reads it); the error carries
// nft's own message (which names the line and the token).
Status nft_run(const std::string& script);

// Runs a command and returns what it prints (e.g. "list table ...").
Result<std::string> nft_output(const std::string& command);

// A table name kiste can find again: PREFIX_READABLE_HASH, where READABLE is
// `readable` with everything but letters and digits folded to '_' (nft names
// are identifiers) and HASH (of `key`) keeps apart what that folds together.
std::string nft_table_name(std::string_view prefix, std::string_view readable,
                           std::string_view key);

}  // namespace kiste::net
