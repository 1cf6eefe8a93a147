#include "sched/role_fibers.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <cerrno>
#include <cstring>
#include <mutex>
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

// Boost.Context's protected stack, noting where it is: code that asks for
// its thread's stack (pthread_getattr_np, to know how deep it may recurse
// or where to scan) gets the fiber's (intercept/steered.cpp).
struct NotedStack {
  boost::context::protected_fixedsize_stack inner;
  boost::context::stack_context* noted;
  boost::context::stack_context allocate() {
    *noted = inner.allocate();
    return *noted;
  }
  void deallocate(boost::context::stack_context& sc) noexcept { inner.deallocate(sc); }
};

}  // namespace

RoleFibers::RoleFibers(unsigned n, unsigned cap, Controller& controller, Part part, void* arg,
                       Context* ctx)
    : n_(n),
      cap_(cap),
      used_(n),
      controller_(controller),
      part_(part),
      arg_(arg),
      ctx_(ctx),
      fibers_(std::make_unique<Fiber[]>(cap)) {
  for (unsigned k = 0; k < n_; ++k) make(k);
}

// A fiber that never ran has nothing to unwind; one that did waits at the
// end of its part or its thread's function (a trial ends only when every
// one returned) and returns when told to stop. A trial abandoned mid-way
// (a hang) leaks the case's state, and these fibers with it, so none is
// destroyed mid-way.
RoleFibers::~RoleFibers() {
  stopping_ = true;
  for (unsigned k = 0; k < cap_; ++k)
    if (fibers_[k].self && fibers_[k].done) fibers_[k].self = std::move(fibers_[k].self).resume();
  // The roles' pthread key values, kept across trials as a role thread keeps
  // them, are destroyed as the team's threads would be at their exit.
  for (unsigned k = 0; k < n_; ++k) controller_.keys(k).run_destructors();
}

// The fiber runs its role's part, or its started thread's function, once
// per trial, and gives the host thread back after each. Made once per slot
// and case: a fiber's stack is an mmap.
void RoleFibers::make(unsigned k, std::size_t stack_bytes) {
  fibers_[k].retire = false;
  fibers_[k].self = boost::context::fiber(
      std::allocator_arg,
      NotedStack{boost::context::protected_fixedsize_stack(stack_bytes), &fibers_[k].stack},
      [this, k](boost::context::fiber&& host) {
        Fiber& me = fibers_[k];
        me.host = std::move(host);
        while (!stopping_ && !me.retire) {
          if (me.start != nullptr)
            (void)me.start(me.start_arg);  // the trampoline: it catches what ends it
          else
            me.flagged = part_(arg_, k);
          me.done = true;
          me.host = std::move(me.host).resume();
        }
        return std::move(me.host);
      });
}

void RoleFibers::spawn(unsigned t, Start start, void* arg, std::size_t stack_bytes) {
  Fiber& f = fibers_[t];
  const std::size_t page = boost::context::stack_traits::page_size();
  if (f.self && f.done && f.stack.size - page < stack_bytes) {
    // The thread asked for a deeper stack than the slot's fiber has (its
    // pthread_attr_setstacksize): the fiber, parked between starts, leaves
    // its loop, and a fiber on a stack as deep as asked takes the slot.
    f.retire = true;
    f.self = std::move(f.self).resume();
  }
  if (!f.self) make(t, std::max(kStackBytes, (stack_bytes + page - 1) / page * page));
  f.start = start;
  f.start_arg = arg;
  f.tls_context = nullptr;  // as on a new thread
  f.tls_steer = nullptr;
  f.eh_caught = nullptr;
  f.eh_uncaught = 0;
  f.once_callable = nullptr;
  f.once_call = nullptr;
  f.shadow.depth = 0;
  f.error = 0;
  f.done = false;
  if (t >= used_) used_ = t + 1;
}

bool RoleFibers::stack_of(unsigned k, void*& low, std::size_t& size) const {
  const boost::context::stack_context& sc = fibers_[k].stack;
  if (k >= cap_ || sc.sp == nullptr) return false;
  // sp is the top (stacks grow down); the guard page is below the usable
  // part (boost/context/posix/protected_fixedsize_stack.hpp).
  const std::size_t page = boost::context::stack_traits::page_size();
  low = static_cast<char*>(sc.sp) - sc.size + page;
  size = sc.size - page;
  return true;
}

unsigned RoleFibers::first_undone() const {
  for (unsigned k = 0; k < used_; ++k)
    if (!fibers_[k].done) return k;
  return cap_;
}

bool RoleFibers::run_trial() {
  for (unsigned k = 0; k < n_; ++k) {
    fibers_[k].done = false;
    fibers_[k].flagged = false;
  }
  used_ = n_;
  mutexes_.clear();
  for (;;) {
    unsigned t = controller_.holder();
    // An aborted trial (a deadlock): every fiber unwinds, in order. When
    // every thread ended, nobody holds the turn. Every thread of the trial
    // being a fiber, the holder is one of them.
    if (controller_.aborted() || t >= used_) t = first_undone();
    if (t == cap_) break;
    resume(t);
  }
  bool flagged = false;
  for (unsigned k = 0; k < n_; ++k) flagged |= fibers_[k].flagged;
  return flagged;
}

// The switch in: the fiber's thread-local words in place, then its stack;
// the switch out puts the host thread's back. The shadow stack is copied
// (its used depth: 0 for a plugin that is not instrumented), so that the
// words an INSTRUMENT plugin's entry hooks reach stay one initial-exec TLS
// slot. The plugin's tls_context is one word of the host thread (the runtime
// notes where as a role starts), the same for every fiber.
void RoleFibers::resume(unsigned k) {
  Fiber& f = fibers_[k];
  Context** home = home_;
  Context* const host_context = home != nullptr ? *home : nullptr;
  Steer* const host_steer = tls_steer;
  const int host_depth = tls_shadow.depth;
  const int host_errno = errno;
  errno = f.error;
  EhGlobals& eh = eh_globals();
  const EhGlobals host_eh = eh;
  eh = EhGlobals{f.eh_caught, f.eh_uncaught};
  void* const host_once_callable = std::__once_callable;
  void (*const host_once_call)() = std::__once_call;
  std::__once_callable = f.once_callable;
  std::__once_call = f.once_call;
  if (home != nullptr) *home = f.tls_context;
  tls_steer = f.tls_steer;
  copy_shadow(tls_shadow, f.shadow);
  controller_.steer(k)->shadow = &tls_shadow;
  f.self = std::move(f.self).resume();
  // A role notes its home as it starts.
  if (home == nullptr && k < n_) home = home_ = detail::context_data(ctx_[k]).tls_home;
  if (home != nullptr) {
    f.tls_context = *home;
    *home = host_context;
  }
  f.tls_steer = tls_steer;
  tls_steer = host_steer;
  f.eh_caught = eh.caught;
  f.eh_uncaught = eh.uncaught;
  eh = host_eh;
  f.once_callable = std::__once_callable;
  f.once_call = std::__once_call;
  std::__once_callable = host_once_callable;
  std::__once_call = host_once_call;
  copy_shadow(f.shadow, tls_shadow);
  controller_.steer(k)->shadow = &f.shadow;
  tls_shadow.depth = host_depth;
  f.error = errno;
  errno = host_errno;
}

void RoleFibers::suspend(unsigned k) {
  Fiber& f = fibers_[k];
  f.host = std::move(f.host).resume();
}

}  // namespace strain::sched
