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
// What a fiber does not have of a thread, and why the key is the user's
// choice rather than the default: the code under test's own thread_local
// variables are the host thread's, shared by every role, and every role
// sees the same pthread_self(). What the harness keeps per thread is swapped
// at each switch: the steered place (tls_steer), the shadow stack of an
// INSTRUMENT plugin (tls_shadow), the runtime's current context (the
// plugin's tls_context, reached through ContextData::tls_home), and the C++
// runtime's exceptions being handled (a rethrow in one role's catch block
// rethrows its own, whichever role caught one since). Threads the
// code under test starts remain OS threads; the host thread waits for the
// turn while one of them holds it.

#include <boost/context/fiber.hpp>
#include <memory>

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
  //! Fibers for `n` roles whose contexts are `ctx[0..n)`, scheduled by
  //! `controller` (which must be told: Controller::run_roles_as).
  RoleFibers(unsigned n, Controller& controller, Part part, void* arg, Context* ctx);
  ~RoleFibers();
  RoleFibers(const RoleFibers&) = delete;
  RoleFibers& operator=(const RoleFibers&) = delete;

  //! Runs one trial's parts, each on its fiber, in the order the controller
  //! hands the turn; returns once every part returned, true if any
  //! recorded a failure. On the host thread (the team's one thread).
  bool run_trial();
  //! From role k's fiber: back to the host thread, which runs whichever
  //! role holds the turn now (Controller::await_turn).
  void suspend(unsigned k);

  //! Each fiber's stack: the size of a thread's default stack on Linux, as
  //! the code under test expects; only the pages it touches are committed.
  static constexpr std::size_t kStackBytes = std::size_t{8} << 20;

 private:
  struct Fiber {
    boost::context::fiber self;  // the host's way into the fiber
    boost::context::fiber host;  // the fiber's way back
    // What the thread-local words hold for this role while it is switched
    // out.
    Context* tls_context = nullptr;
    Steer* tls_steer = nullptr;
    // libstdc++'s __cxa_eh_globals of the role: the exceptions its catch
    // blocks handle (a list, newest first) and those thrown and not yet
    // caught.
    void* eh_caught = nullptr;
    unsigned eh_uncaught = 0;
    ShadowStack shadow{};
    bool done = false;
    bool flagged = false;
  };
  void resume(unsigned k);
  void start(unsigned k);

  unsigned n_;
  Controller& controller_;
  Part part_;
  void* arg_;
  Context* ctx_;
  bool stopping_ = false;
  std::unique_ptr<Fiber[]> fibers_;
};

}  // namespace strain::sched
