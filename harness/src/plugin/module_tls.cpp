#include "plugin/module_tls.hpp"

#include <fmt/format.h>
#include <link.h>

#include <algorithm>
#include <filesystem>

namespace strain::plugin {

namespace {

// What every plugin's TLS segment holds without any thread_local of its
// own: the runtime's detail::tls_context (runtime/context.cpp), one pointer.
constexpr std::size_t kRuntimeTlsBytes = sizeof(void*);

// dl_iterate_phdr's callback: each object's TLS segment's size in memory
// (initialised and zeroed parts, as each thread gets it).
int visit(dl_phdr_info* info, std::size_t, void* data) {
  auto& out = *static_cast<std::vector<TlsModule>*>(data);
  for (ElfW(Half) k = 0; k < info->dlpi_phnum; ++k) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[k];
    if (ph.p_type == PT_TLS && ph.p_memsz > 0)
      out.push_back(
          {info->dlpi_name != nullptr ? info->dlpi_name : "", info->dlpi_addr, ph.p_memsz});
  }
  return 0;
}

}  // namespace

std::vector<TlsModule> tls_modules() {
  std::vector<TlsModule> out;
  dl_iterate_phdr(&visit, &out);
  return out;
}

ThreadLocals brought_thread_locals(const std::vector<TlsModule>& before,
                                   const std::vector<TlsModule>& after, std::size_t plugin_base) {
  ThreadLocals t;
  for (const TlsModule& m : after) {
    const bool old = std::any_of(before.begin(), before.end(), [&m](const TlsModule& b) {
      return b.base == m.base && b.path == m.path;
    });
    if (old) continue;
    const std::size_t own = m.base == plugin_base
                                ? (m.bytes > kRuntimeTlsBytes ? m.bytes - kRuntimeTlsBytes : 0)
                                : m.bytes;
    if (own == 0) continue;
    t.bytes += own;
    t.where += fmt::format("{}{} ({} bytes)", t.where.empty() ? "" : ", ",
                           std::filesystem::path(m.path).filename().string(), own);
  }
  return t;
}

}  // namespace strain::plugin
