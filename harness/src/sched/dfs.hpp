#pragma once
// Strategy controlled/dfs: every interleaving of a trial's schedule points,
// one per trial, depth first, as a stateless model checker runs them (CHESS,
// and loom for Rust). Each trial replays the choices of the one before it
// down to the deepest choice with an alternative left, takes that
// alternative, and goes on with the first option at every new choice. The
// search ends when no choice has an alternative left: every interleaving
// was run, and a case that saw no failure has none in any of them (over
// its schedule points, for code that behaves the same under the same
// schedule).
//
// Sleep sets (Godefroid) prune it: a thread whose alternative was explored
// at a choice sleeps in the branches taken after it, until a thread runs an
// operation that conflicts with the sleeper's; an interleaving whose every
// enabled thread sleeps only reorders independent operations of one already
// run, and is counted as redundant, not explored further. Two operations
// conflict when they touch the same 8-byte granule and one writes; an
// operation without an object (a bare point, a yield) conflicts with all.
// This is not DPOR (no backtrack sets from races): loom's and GenMC's
// reductions go further.
//
// A preemption bound (CHESS) keeps the search finite on longer runs: at
// most that many switches away from a thread that could have gone on. A
// thread that yields is not an option while another can run (CHESS's fair
// scheduling), so a spin loop does not branch on every turn of its spin.

#include <cstdint>
#include <vector>

#include "sched/picker.hpp"

namespace strain::sched {

class DfsPicker final : public Picker {
 public:
  //! `preemption_bound` < 0: no bound.
  explicit DfsPicker(std::int64_t preemption_bound);

  void begin_trial(Rng& rng, unsigned threads, std::uint64_t steps) override;
  void add_thread(Rng& rng, unsigned t) override;
  void announce(Rng& rng, unsigned t, const Event& e) override;
  void demote(Rng& rng, unsigned t) override;
  unsigned pick(Rng& rng, std::span<const unsigned> enabled, unsigned running,
                std::span<const Event> events) override;

  //! After a trial: moves to the next interleaving, or ends the search.
  void end_trial();
  //! A replay: every later trial runs the interleaving just run again.
  void hold() { held_ = true; }
  //! Forgets every choice: the next trial starts the search.
  void restart() { *this = DfsPicker(bound_); }

  //! No interleaving is left to run.
  bool exhausted() const { return exhausted_; }
  //! Finished trials that were not redundant.
  std::uint64_t interleavings() const { return interleavings_; }
  //! A replayed choice was not available: the code did not behave the same
  //! under the same schedule, so the search proves nothing.
  bool diverged() const { return diverged_; }
  std::int64_t bound() const { return bound_; }

  static bool conflict(const Event& a, const Event& b);

 private:
  struct Node {
    std::vector<unsigned> options;  // in the order tried
    std::size_t taken = 0;          // index into options
  };
  void grow(unsigned t);
  void wake_conflicting(const Event& executed);
  std::vector<unsigned> options_at(std::span<const unsigned> enabled, unsigned running,
                                   bool can_go_on) const;
  //! The one thread a trial that branches no more goes on with.
  unsigned without_branching(std::span<const unsigned> enabled, unsigned running,
                             bool can_go_on) const;
  bool yielded(unsigned t) const { return t < yielded_.size() && yielded_[t]; }

  std::int64_t bound_;
  std::vector<Node> stack_;
  std::size_t depth_ = 0;           // the choice the trial is at
  std::vector<unsigned> sleeping_;  // thread ids; their events are pending_[t]
  std::vector<Event> pending_;      // each thread's announced next operation
  std::vector<bool> yielded_;
  std::int64_t preemptions_ = 0;
  bool redundant_ = false;  // this trial's every enabled thread slept
  bool exhausted_ = false;
  bool held_ = false;
  bool diverged_ = false;
  std::uint64_t interleavings_ = 0;
};

}  // namespace strain::sched
