#include "net/secure_nft.hpp"

#include <nftables/libnftables.h>

#include <cctype>
#include <cstdint>
#include <memory>

namespace kiste::net {
namespace {

struct CtxFree {
    void operator()(nft_ctx* c) const { nft_ctx_free(c); }
};
using Ctx = std::unique_ptr<nft_ctx, CtxFree>;

// A context that collects output and errors in buffers instead of printing.
Result<Ctx> make_ctx() {
    Ctx ctx(nft_ctx_new(NFT_CTX_DEFAULT));
    if (!ctx) return fail("libnftables: cannot create a context");
    if (nft_ctx_buffer_output(ctx.get()) != 0 || nft_ctx_buffer_error(ctx.get()) != 0)
        return fail("libnftables: cannot buffer output");
    return ctx;
}

std::string trimmed(const char* s) {
    std::string out = s ? s : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

Result<std::string> run(const std::string& script) {
    auto ctx = KISTE_TRY(make_ctx());
    if (nft_run_cmd_from_buffer(ctx.get(), script.c_str()) != 0) {
        std::string err = trimmed(nft_ctx_get_error_buffer(ctx.get()));
        return fail("nftables: {}", err.empty() ? "the batch failed" : err);
    }
    return trimmed(nft_ctx_get_output_buffer(ctx.get()));
}

}  // namespace

Status nft_run(const std::string& script) {
    KISTE_TRY(run(script));
    return {};
}

Result<std::string> nft_output(const std::string& command) {
    return run(command);
}

std::string nft_table_name(std::string_view prefix, std::string_view readable,
                           std::string_view key) {
    std::string out(prefix);
    out += '_';
    for (char c : readable.substr(0, 40))
        out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    uint32_t h = 2166136261u;  // FNV-1a
    for (unsigned char c : key) h = (h ^ c) * 16777619u;
    return out + fmt::format("_{:08x}", h);
}

}  // namespace kiste::net
