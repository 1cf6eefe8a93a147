#include "plugin/module_tls.hpp"

#include <link.h>

#include <cstdint>

namespace strain::plugin {

namespace {

// What every plugin's TLS segment holds without any thread_local of its
// own: the runtime's detail::tls_context (runtime/context.cpp), one pointer.
constexpr std::size_t kRuntimeTlsBytes = sizeof(void*);

struct Search {
  std::uintptr_t address;
  bool found = false;
  std::size_t tls_bytes = 0;
};

// dl_iterate_phdr's callback: the object whose loaded segments hold the
// address, and its TLS segment's size in memory (initialised and zeroed
// parts, as each thread gets it).
int visit(dl_phdr_info* info, std::size_t, void* data) {
  auto& s = *static_cast<Search*>(data);
  bool holds = false;
  std::size_t tls = 0;
  for (ElfW(Half) k = 0; k < info->dlpi_phnum; ++k) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[k];
    if (ph.p_type == PT_TLS) tls = ph.p_memsz;
    if (ph.p_type != PT_LOAD) continue;
    const std::uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (s.address >= start && s.address < start + ph.p_memsz) holds = true;
  }
  if (!holds) return 0;
  s.found = true;
  s.tls_bytes = tls;
  return 1;  // stops the walk
}

}  // namespace

std::size_t own_thread_local_bytes(const void* inside) {
  Search s{reinterpret_cast<std::uintptr_t>(inside)};
  dl_iterate_phdr(&visit, &s);
  return s.found && s.tls_bytes > kRuntimeTlsBytes ? s.tls_bytes - kRuntimeTlsBytes : 0;
}

}  // namespace strain::plugin
