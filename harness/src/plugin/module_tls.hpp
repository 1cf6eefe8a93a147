#pragma once
// How much thread_local data a plugin brings: the TLS segments (PT_TLS) of
// the shared objects its load added to the process, its own less what the
// strain runtime linked into every plugin keeps there, and those of the
// libraries it pulled in with it (the code under test's own libraries; the
// C and C++ runtimes the host had loaded already). Roles run as fibers
// share one thread's (sched/role_fibers.hpp): a controlled case runs them
// as fibers by default only when this is 0, and a case that asks for
// fibers anyway is told what it shared.

#include <cstddef>
#include <string>
#include <vector>

namespace strain::plugin {

//! A loaded object with thread_local data: where it was loaded from, where
//! (its base address), and its TLS segment's size in memory.
struct TlsModule {
  std::string path;
  std::size_t base = 0;
  std::size_t bytes = 0;
};

//! Every loaded object with a TLS segment, now.
std::vector<TlsModule> tls_modules();

//! What a plugin's load brought.
struct ThreadLocals {
  std::size_t bytes = 0;
  std::string where;  // "fiber_tls.so (4 bytes), libfoo.so.1 (16 bytes)"; empty if none
};

//! The thread_local data of the objects in `after` and not in `before`,
//! the plugin (at `plugin_base`) counted beyond the runtime's own.
ThreadLocals brought_thread_locals(const std::vector<TlsModule>& before,
                                   const std::vector<TlsModule>& after, std::size_t plugin_base);

}  // namespace strain::plugin
