#include "net/secure_nft.hpp"

#include <dlfcn.h>
#include <nftables/libnftables.h>

#include <cctype>
#include <cstdint>
#include <memory>

namespace kiste::net {
namespace {

// libnftables, loaded on first use: linking it would cost every kiste run
// about 1 ms of dynamic linking (it needs six more libraries), and only the
// secure network and `kiste network --nat` use it. RTLD_NODELETE: it stays
// loaded, so a later dlopen() is a reference count.
struct Nft {
    decltype(&nft_ctx_new) ctx_new;
    decltype(&nft_ctx_free) ctx_free;
    decltype(&nft_ctx_buffer_output) buffer_output;
    decltype(&nft_ctx_buffer_error) buffer_error;
    decltype(&nft_run_cmd_from_buffer) run_cmd;
    decltype(&nft_ctx_get_output_buffer) output_buffer;
    decltype(&nft_ctx_get_error_buffer) error_buffer;
};

template <typename F>
Status resolve(void* lib, const char* name, F& out) {
    out = reinterpret_cast<F>(::dlsym(lib, name));
    if (out == nullptr) return fail("{}: no symbol {}", KISTE_LIBNFTABLES_SONAME, name);
    return {};
}

Result<Nft> load_nft() {
    void* lib = ::dlopen(KISTE_LIBNFTABLES_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (lib == nullptr) {
        const char* why = ::dlerror();
        return fail("cannot load {} (Debian package libnftables1): {}", KISTE_LIBNFTABLES_SONAME,
                    why != nullptr ? why : "unknown error");
    }
    Nft n{};
    KISTE_TRY(resolve(lib, "nft_ctx_new", n.ctx_new));
    KISTE_TRY(resolve(lib, "nft_ctx_free", n.ctx_free));
    KISTE_TRY(resolve(lib, "nft_ctx_buffer_output", n.buffer_output));
    KISTE_TRY(resolve(lib, "nft_ctx_buffer_error", n.buffer_error));
    KISTE_TRY(resolve(lib, "nft_run_cmd_from_buffer", n.run_cmd));
    KISTE_TRY(resolve(lib, "nft_ctx_get_output_buffer", n.output_buffer));
    KISTE_TRY(resolve(lib, "nft_ctx_get_error_buffer", n.error_buffer));
    return n;
}

std::string trimmed(const char* s) {
    std::string out = s ? s : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

Result<std::string> run(const std::string& script) {
    const Nft nft = KISTE_TRY(load_nft());
    // A context that collects output and errors in buffers instead of printing.
    std::unique_ptr<nft_ctx, decltype(nft.ctx_free)> ctx(nft.ctx_new(NFT_CTX_DEFAULT),
                                                         nft.ctx_free);
    if (!ctx) return fail("libnftables: cannot create a context");
    if (nft.buffer_output(ctx.get()) != 0 || nft.buffer_error(ctx.get()) != 0)
        return fail("libnftables: cannot buffer output");
    if (nft.run_cmd(ctx.get(), script.c_str()) != 0) {
        std::string err = trimmed(nft.error_buffer(ctx.get()));
        return fail("nftables: {}", err.empty() ? "the batch failed" : err);
    }
    return trimmed(nft.output_buffer(ctx.get()));
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
