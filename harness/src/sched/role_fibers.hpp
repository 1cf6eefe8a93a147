#pragma once
// The roles of a controlled trial as fibers on one OS thread (spec key
// schedule.strategy.fibers). The controlled scheduler runs one role at a
// time anyway; as threads, each hand-off of the turn moves the trial's
// lines to another core and wakes a thread there (issue 12: most of a
// trivial controlled trial's time went to ThreadTeam::worker's spin and
// Controller::await_turn). As fibers, a hand-off is a switch of stacks on
// the same core (Boost.Context's fcontext: a few nanoseconds, no system
// call), and the decisions are the very same: a trial's seed gives the
// same interleaving either way, so a failure found with fibers replays as
// threads and back.
//
// The threads the code under test starts in a trial (pthread_create,
// std::thread, std::async) are fibers too, on the same thread: spawn()
// gives the started thread's slot a fiber (made once per slot and case,
// then reused), and its pthread_t is a stand-in that pthread_join and
// pthread_detach hand to the scheduler alone.
//
// What a fiber does not have of a thread: the code under test's own
// thread_local variables are the host thread's, shared by every fiber, so
// fibers are the default only for a plugin that brought none
// (plugin/module_tls.hpp). Each fiber's pthread_self() is a stand-in of its
// own (intercept/exports.cpp), a recursive mutex's owner is kept per fiber
// (fiber_mutexes.hpp), and so are pthread key values (thread_keys.hpp).
// What the harness keeps per thread is swapped at each switch: the steered
// place (tls_steer), the shadow stack of an INSTRUMENT plugin (tls_shadow),
// the runtime's current context (the plugin's tls_context, reached through
// ContextData::tls_home), and the C++ runtime's exceptions being handled (a
// rethrow in one fiber's catch block rethrows its own, whichever fiber
// caught one since), the callable of a std::call_once in progress, and
// errno.

#include <boost/context/fiber.hpp>
#include <memory>

#include "sched/fiber_mutexes.hpp"
#include "sched/shadow_stack.hpp"

namespace strain {
class Context;
}

namespace strain::sched {

class Controller;
struct Steer;

class RoleFibers {
 public:
  //! Role k's part of a trial in context `ctx[k]`; true if it recorded a
  //! failure. Called on role k's fiber.
  using Part = bool (*)(void* arg, unsigned k) noexcept;
  //! A started thread's function, as pthread_create takes it.
  using Start = void* (*)(void*);
  //! Fibers for `n` roles whose contexts are `ctx[0..n)`, and for up to
  //! `cap - n` threads the code starts, scheduled by `controller` (which
  //! must be told: Controller::run_roles_as).
  RoleFibers(unsigned n, unsigned cap, Controller& controller, Part part, void* arg, Context* ctx);
  ~RoleFibers();
  RoleFibers(const RoleFibers&) = delete;
  RoleFibers& operator=(const RoleFibers&) = delete;

  //! Runs one trial's parts, each on its fiber, in the order the controller
  //! hands the turn; returns once every part and every started thread
  //! returned, true if a part recorded a failure. On the host thread (the
  //! team's one thread).
  bool run_trial();
  //! From slot k's fiber: back to the host thread, which runs whichever
  //! fiber holds the turn now (Controller::await_turn).
  void suspend(unsigned k);
  //! The code under test started a thread, given slot `t` (n <= t < cap):
  //! `start(arg)` runs on the slot's fiber once it has the turn, on a
  //! stack of at least kStackBytes and `stack_bytes` (what the thread's
  //! attributes asked for). Throws std::bad_alloc if its stack cannot be
  //! mapped.
  void spawn(unsigned t, Start start, void* arg, std::size_t stack_bytes = 0);
  //! Who holds which recursive mutex, for the steered lock
  //! (fiber_mutexes.hpp); cleared at each trial's start.
  FiberMutexes& recursive_mutexes() noexcept { return mutexes_; }
  //! Slot k's fiber's stack, its guard page left out; false if it has none.
  bool stack_of(unsigned k, void*& low, std::size_t& size) const;

  //! Each fiber's stack: the size of a thread's default stack on Linux, as
  //! the code under test expects; only the pages it touches are committed.
  static constexpr std::size_t kStackBytes = std::size_t{8} << 20;

 private:
  struct Fiber {
    boost::context::fiber self;  // the host's way into the fiber
    boost::context::fiber host;  // the fiber's way back
    Start start = nullptr;       // a started thread's function (null: a role)
    void* start_arg = nullptr;
    // What the thread-local words hold for this fiber while it is switched
    // out.
    Context* tls_context = nullptr;
    Steer* tls_steer = nullptr;
    // libstdc++'s __cxa_eh_globals of the fiber: the exceptions its catch
    // blocks handle (a list, newest first) and those thrown and not yet
    // caught.
    void* eh_caught = nullptr;
    unsigned eh_uncaught = 0;
    // libstdc++'s std::call_once hands its callable to pthread_once's
    // initialiser through two thread-local words (<mutex>); a point inside
    // pthread_once switched to a fiber that called std::call_once too, and
    // the first ran the second's callable (std::async's future.get()).
    void* once_callable = nullptr;
    void (*once_call)() = nullptr;
    // The C library's errno: a value one fiber's call left and read after a
    // point (a lock taken to log it) is that fiber's, not another's.
    int error = 0;
    boost::context::stack_context stack{};  // where its stack is mapped
    ShadowStack shadow{};
    bool done = true;
    bool flagged = false;
    bool retire = false;  // its stack is too small for the next start: end it
  };
  void resume(unsigned k);
  void make(unsigned k, std::size_t stack_bytes = kStackBytes);
  unsigned first_undone() const;

  unsigned n_, cap_;
  unsigned used_;  // slots in use this trial: the roles', then started threads'
  Controller& controller_;
  Part part_;
  void* arg_;
  Context* ctx_;
  Context** home_ = nullptr;  // the plugin's tls_context on the host thread
  bool stopping_ = false;
  std::unique_ptr<Fiber[]> fibers_;
  FiberMutexes mutexes_;
};

}  // namespace strain::sched
