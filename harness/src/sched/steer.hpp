#pragma once
// Which thread of a steered trial the calling thread is, for the entry points
// that unmodified code reaches without a strain::Context: the pthread and
// libc functions the host exports (intercept/) and the __tsan_* functions an
// INSTRUMENT plugin calls (instrument/). Null on every thread outside a
// trial under the controlled strategy, so those entry points cost one
// thread-local load and a branch there.
//
// This header must not include <pthread.h> (nor any standard header that
// does): the interposing files define pthread_mutex_lock and friends
// without the header's noexcept, since a wait that the scheduler aborts
// (a deadlock) unwinds the thread by throwing through them.

#include <cstdint>

#include "core/apart.hpp"

namespace strain {
class Context;
}

namespace strain::sched {

class Controller;
struct ShadowStack;

//! A thread's place in the controlled trial. Apart (core/apart.hpp): every
//! exported call writes `site` of its thread's.
struct alignas(core::kApart) Steer {
  Controller* controller = nullptr;
  unsigned index = 0;        // its slot in the controller
  Context* owner = nullptr;  // the role's context failures are recorded in
  // A started thread's function, and its pthread_t once created.
  void* (*start_fn)(void*) = nullptr;
  void* start_arg = nullptr;
  unsigned long thread = 0;
  void* returned = nullptr;  // what the function returned (fibers: for pthread_join)
  //! Which plain accesses of INSTRUMENT code are points (spec key
  //! plain_accesses).
  enum class Plain : std::uint8_t { off, shared, all } plain = Plain::off;
  //! A role or started thread run as a fiber (sched/role_fibers.hpp): it
  //! shares its thread, and the thread's id, with the trial's others.
  bool fiber = false;
  //! Its pthread keys' values are kept by the controller
  //! (sched/thread_keys.hpp): a fiber, or a thread the code started.
  bool own_keys = false;
  //! Where the thread's code last called an exported entry point from, and
  //! its shadow stack (sched/shadow_stack.hpp), for reports.
  const void* site = nullptr;
  ShadowStack* shadow = nullptr;
};

//! The calling thread's place; null outside a steered trial. `__thread`
//! rather than thread_local: a plain initial-exec TLS slot in the
//! executable, with no wrapper call.
extern __thread Steer* tls_steer;

//! Clears tls_steer for a scope: the scheduler's own waits (futexes,
//! sched_yield in libstdc++'s atomic wait) go through the same exported
//! functions and must reach libc, not the scheduler again.
class SteerPause {
 public:
  SteerPause() noexcept : saved_(tls_steer) { tls_steer = nullptr; }
  ~SteerPause() { tls_steer = saved_; }
  SteerPause(const SteerPause&) = delete;
  SteerPause& operator=(const SteerPause&) = delete;

 private:
  Steer* saved_;
};

}  // namespace strain::sched
