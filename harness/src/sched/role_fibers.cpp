#include "sched/role_fibers.hpp"

#include <cxxabi.h>

#include <boost/context/protected_fixedsize_stack.hpp>
#include <cstring>
#include <utility>

#include "runtime/abi_types.hpp"
#include "sched/controller.hpp"
#include "sched/steer.hpp"

namespace strain::sched {

namespace {

// The frames of `from` that a report may read, into `to`.
void copy_shadow(ShadowStack& to, const ShadowStack& from) noexcept {
  const int kept = from.depth < ShadowStack::kDepth ? from.depth : ShadowStack::kDepth;
  if (kept > 0) {
    std::memcpy(to.fn, from.fn, sizeof(const void*) * static_cast<std::size_t>(kept));
    std::memcpy(to.call, from.call, sizeof(const void*) * static_cast<std::size_t>(kept));
  }
  to.depth = from.depth;
}

// The calling thread's exception-handling state, as libstdc++ lays out its
// __cxa_eh_globals on x86-64 (unwind-cxx.h; the Itanium C++ ABI's): the
// exceptions being handled, newest first, and the count of those thrown and
// not yet caught. A rethrow takes the newest: without a list per role, a
// `throw;` in one role's catch block rethrew the exception another role
// caught since (tests/plugins/fiber_roles.cpp, variant rethrow).
struct EhGlobals {
  void* caught;
  unsigned uncaught;
};
static_assert(sizeof(EhGlobals) == 2 * sizeof(void*));

EhGlobals& eh_globals() noexcept { return *reinterpret_cast<EhGlobals*>(abi::__cxa_get_globals()); }

}  // namespace

RoleFibers::RoleFibers(unsigned n, Controller& controller, Part part, void* arg, Context* ctx)
    : n_(n),
      controller_(controller),
      part_(part),
      arg_(arg),
      ctx_(ctx),
      fibers_(std::make_unique<Fiber[]>(n)) {
  for (unsigned k = 0; k < n_; ++k) start(k);
}

// A fiber that never ran has nothing to unwind; one that did waits at the
// end of its part (a trial ends only when every part returned) and returns
// when told to stop. A trial abandoned mid-part (a hang) leaks the case's
// state, and these fibers with it, so none is destroyed mid-part.
RoleFibers::~RoleFibers() {
  stopping_ = true;
  for (unsigned k = 0; k < n_; ++k)
    if (fibers_[k].self && fibers_[k].done) fibers_[k].self = std::move(fibers_[k].self).resume();
}

// The fiber runs role k's part once per trial, and gives the host thread
// back after each. Made once per case: a fiber's stack is an mmap.
void RoleFibers::start(unsigned k) {
  fibers_[k].self = boost::context::fiber(std::allocator_arg,
                                          boost::context::protected_fixedsize_stack(kStackBytes),
                                          [this, k](boost::context::fiber&& host) {
                                            Fiber& me = fibers_[k];
                                            me.host = std::move(host);
                                            while (!stopping_) {
                                              me.flagged = part_(arg_, k);
                                              me.done = true;
                                              me.host = std::move(me.host).resume();
                                            }
                                            return std::move(me.host);
                                          });
}

bool RoleFibers::run_trial() {
  for (unsigned k = 0; k < n_; ++k) {
    fibers_[k].done = false;
    fibers_[k].flagged = false;
  }
  unsigned left = n_;
  while (left > 0) {
    unsigned t = controller_.holder();
    // An aborted trial (a deadlock): every role unwinds, in order.
    if (controller_.aborted())
      for (t = 0; t < n_ && fibers_[t].done; ++t) {
      }
    if (t < n_ && !fibers_[t].done) {
      resume(t);
      if (fibers_[t].done) --left;
    } else {
      // A thread the code under test started holds the turn.
      controller_.await_host();
    }
  }
  bool flagged = false;
  for (unsigned k = 0; k < n_; ++k) flagged |= fibers_[k].flagged;
  return flagged;
}

// The switch in: the role's thread-local words in place, then its stack; the
// switch out puts the host thread's back. The shadow stack is copied (its
// used depth: 0 for a plugin that is not instrumented), so that the words
// an INSTRUMENT plugin's entry hooks reach stay one initial-exec TLS slot.
void RoleFibers::resume(unsigned k) {
  Fiber& f = fibers_[k];
  Context** home = detail::context_data(ctx_[k]).tls_home;
  Context* const host_context = home != nullptr ? *home : nullptr;
  Steer* const host_steer = tls_steer;
  const int host_depth = tls_shadow.depth;
  EhGlobals& eh = eh_globals();
  const EhGlobals host_eh = eh;
  eh = EhGlobals{f.eh_caught, f.eh_uncaught};
  if (home != nullptr) *home = f.tls_context;
  tls_steer = f.tls_steer;
  copy_shadow(tls_shadow, f.shadow);
  controller_.steer(k)->shadow = &tls_shadow;
  f.self = std::move(f.self).resume();
  // The part may have set its home only now (the runtime does so as a role
  // starts).
  home = detail::context_data(ctx_[k]).tls_home;
  if (home != nullptr) {
    f.tls_context = *home;
    *home = host_context;
  }
  f.tls_steer = tls_steer;
  tls_steer = host_steer;
  f.eh_caught = eh.caught;
  f.eh_uncaught = eh.uncaught;
  eh = host_eh;
  copy_shadow(f.shadow, tls_shadow);
  controller_.steer(k)->shadow = &f.shadow;
  tls_shadow.depth = host_depth;
}

void RoleFibers::suspend(unsigned k) {
  Fiber& f = fibers_[k];
  f.host = std::move(f.host).resume();
}

}  // namespace strain::sched
