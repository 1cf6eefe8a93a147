#pragma once
// How the controlled scheduler picks the thread that runs next: a random
// walk, PCT or POS. The scheduler calls a picker only where there is a
// choice (more than one runnable thread); every random draw comes from the
// trial's generator, so a trial's picks depend on its seed alone.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/strategy.hpp"
#include "runtime/abi_types.hpp"
#include "strain/context.hpp"
#include "strain/rng.hpp"

namespace strain::sched {

//! The operation a thread will perform when it runs next.
struct Event {
  const void* object = nullptr;
  detail::Access kind = detail::Access::none;
};

//! A lock, unlock, notify, queue, semaphore or barrier operation, or a wait:
//! the weak memory model synchronises on it.
inline bool synchronises(detail::Access k) {
  return k == detail::Access::sync || k == detail::Access::wait;
}

//! The operation changes its object (a load and a yield do not): what
//! POS's and dfs's conflicts are made of.
inline bool writes(detail::Access k) {
  return k == detail::Access::write || k == detail::Access::update || synchronises(k);
}

class Picker {
 public:
  virtual ~Picker() = default;
  //! A new trial with `threads` threads; `steps` is PCT's k.
  virtual void begin_trial(Rng& rng, unsigned threads, std::uint64_t steps) = 0;
  //! Thread `t` was started during the trial (its index is past every
  //! thread begin_trial counted and those added before).
  virtual void add_thread(Rng& rng, unsigned t) = 0;
  //! Thread `t` will perform `e` next (it reached a point, or was woken).
  virtual void announce(Rng& rng, unsigned t, const Event& e) = 0;
  //! Thread `t` yields (a spin loop, a sleep): it should fall behind.
  virtual void demote(Rng& rng, unsigned t) = 0;
  //! Thread `t` performed the operation it announced and now blocks or
  //! ends, so no announcement follows it soon (a search records it here).
  virtual void performed(unsigned /*t*/) {}
  //! One of `enabled` (at least two, ascending) to run next. `running` had
  //! the turn until now (it may not be enabled any more); `events` holds
  //! every thread's next operation.
  virtual unsigned pick(Rng& rng, std::span<const unsigned> enabled, unsigned running,
                        std::span<const Event> events) = 0;
};

//! `random` (uniform among the runnable threads), `pct` (with depth `depth`)
//! or `pos`.
std::unique_ptr<Picker> make_picker(model::Pick pick, std::int64_t depth);

}  // namespace strain::sched
