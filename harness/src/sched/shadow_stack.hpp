#pragma once
// Where a steered thread is in the code under test, kept by the code itself
// rather than unwound from its stack: instrumented functions push and pop
// the shadow stack (__tsan_func_entry/exit, instrument/), and the exported
// pthread and __tsan_* entry points note the call site of each schedule
// point (Steer::site). A deadlock or hang report then names the user's
// functions and lines from addresses the threads recorded themselves: no
// backtrace() at the wait, no signal to a spinning thread, no unwind tables
// needed in the plugin, and one libdw lookup per line when the report is
// written.
//
// Like steer.hpp this header includes no libc header that declares the
// pthread functions (intercept/exports.cpp includes it).

#include <string>

namespace strain::sched {

//! The instrumented functions a thread is in, outermost first. Written only
//! by the thread itself, with relaxed atomic stores (a plain mov): the
//! watchdog may read it while the thread runs, for a hang.
struct ShadowStack {
  static constexpr int kDepth = 64;
  //! An address inside each function entered (where its entry hook returns
  //! to), and the address it was called from (the pc the hook is given).
  const void* fn[kDepth];
  const void* call[kDepth];
  //! Frames entered; may exceed kDepth (the deeper ones are not kept).
  int depth;
};

//! The calling thread's shadow stack (initial-exec TLS in the executable).
extern __thread ShadowStack tls_shadow;

//! A copy of where a thread was, in memory the controller owns: taken when
//! the thread blocks, so it outlives a started thread that has exited.
struct WhereAt {
  static constexpr int kCalls = 8;
  const void* site = nullptr;   // the call into the primitive or the atomic
  const void* fn = nullptr;     // the innermost instrumented function
  const void* calls[kCalls]{};  // its call sites, innermost first
  int calls_n = 0;

  static WhereAt of(const void* site, const ShadowStack* shadow) noexcept;
  bool empty() const noexcept { return site == nullptr && fn == nullptr; }
};

//! "at f file:line" then "called from g file:line" lines, each prefixed
//! with `indent`, the user's frames preferred over the standard library's
//! inlined into them (symbolized through libdw: slow, for reports only).
std::string describe(const WhereAt& where, const char* indent);

}  // namespace strain::sched
