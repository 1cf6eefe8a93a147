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
// Dynamic partial-order reduction (Flanagan and Godefroid, POPL 2005, as
// loom runs it for Rust) keeps the search to one interleaving per order of
// the conflicting operations: a new choice is tried with one thread only,
// and a thread is added at a choice only when the trial shows it racing
// with the operation that ran there (conflicting, by another thread, not
// ordered by happens-before through earlier conflicts). Two operations
// conflict when they touch the same 8-byte granule and one writes (every
// synchronisation operation writes its object: locks of two different
// mutexes do not conflict); a wait (a condition wait, which releases and
// retakes a mutex its point does not name, and every wake-up) conflicts
// with every synchronisation operation; an operation without an object (a
// bare point, a yield) conflicts with all: the code after it, up to the
// thread's next point, may touch what no point names (a plugin's plain or
// std::atomic accesses: bank_account's bug_unlocked has only sleeps).
//
// A spin loop would make the search endless: a thread that reads a
// variable until another thread writes it has a different interleaving for
// each count of its reads before the write. A read of the granule the
// thread's last operation read, with nothing written there since, sees the
// same value (under the weak memory model it reads the newest store, see
// read_from()): it is another turn of a spin; a yield between two turns does not end the spin. An
// operation that races with a spin is tried before its first read, before
// its second and after its last (the spin ended, or spin_limit turns
// demoted it), not between later turns; a yield after the second turn is
// part of the turn, no step. So a thread that reads a variable twice in a
// row (a check, then a use) sees each of old-old, old-new and new-new. The
// assumption: a spin's turns after its first touch nothing but what they
// read, and what the spin does after its second turn depends on no count
// of its turns but the last (a loop that gives up after k > 2 reads is
// explored giving up, and seeing the write at once or on the second turn,
// not on the k-th).
//
// The code a thread runs before its first schedule point touches nothing
// shared (what it shares goes through points), so a thread's start and its
// first operation are one step: choosing a thread that has not started runs
// both, with no choice between. Happens-
// before is kept with vector clocks per thread, per granule (the last write
// and each thread's reads since) and per thread's last objectless operation,
// so finding the race of an operation costs O(threads), not O(trace).
//
// Under the weak memory model a load that may read more than one store is
// a choice too (read_from(): each store, newest first), so a search covers
// the orders of the conflicting operations times the stores their loads
// read. DPOR and the sleep sets stay sound because the model's state is a
// function of the order of conflicting operations: it synchronises a
// primitive's operations per object (as they conflict), and a wait, which
// it synchronises with every object, conflicts with every synchronisation
// operation (see memory_model.hpp).
//
// Sleep sets (Godefroid) prune what is left: a thread whose branch was
// explored at a choice sleeps in the branches taken after it, until a
// thread runs an operation that conflicts with the sleeper's; an
// interleaving whose every enabled thread sleeps only reorders independent
// operations of one already run, and is counted as redundant, not explored
// further (nor are its races).
//
// A preemption bound (CHESS) keeps the search finite on longer runs: at
// most that many switches away from a thread that could have gone on. With
// a bound the search tries every thread at every choice (with sleep sets,
// without DPOR: the races DPOR follows may need the preemptions the bound
// cuts, so bounded DPOR would miss interleavings the bound allows). A
// thread that yields is not an option while another can run (CHESS's fair
// scheduling), so a spin loop does not branch on every turn of its spin.

#include <cstdint>
#include <unordered_map>
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
  void performed(unsigned t) override;
  unsigned pick(Rng& rng, std::span<const unsigned> enabled, unsigned running,
                std::span<const Event> events) override;

  //! Which of the `n` > 1 stores a load may read under the weak memory
  //! model it reads (0: the newest): each, in turn, from the newest. A
  //! `repeat` (another turn of a spin, nothing stored since) reads the
  //! newest, with no choice.
  unsigned read_from(unsigned n, bool repeat);

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
    bool store = false;              // a load's choice of store, not of thread
    std::vector<unsigned> options;   // in the order tried; DPOR appends to it
    std::size_t taken = 0;           // index into options
    std::vector<unsigned> eligible;  // DPOR: who may run here (enabled, fair)
    std::vector<unsigned> asleep;    // DPOR: who slept on arrival (covered)
  };
  // One operation of the trial's trace: who ran it, its index among that
  // thread's operations (1-based), and the choice it ran after (-1: there
  // was no choice, one thread could run).
  struct Step {
    unsigned thread;
    std::uint32_t nth;
    std::int64_t node;
  };
  using Clock = std::vector<std::uint32_t>;  // operations seen, per thread
  struct Seen {
    std::int64_t step = -1;  // index into trace_; -1: none
    Clock clock;
  };
  struct Granule {
    Seen write;               // the last write
    std::vector<Seen> reads;  // each thread's last read since, by thread
  };
  struct Spin {
    std::uintptr_t key = 0;    // the granule
    std::uint32_t turns = 0;   // reads of it in a row, the same value; 0: none
    std::int64_t at = -1;      // the step of the last of them
    std::int64_t second = -1;  // the step of the second, if there was one
  };

  void grow(unsigned t);
  void wake_conflicting(unsigned by);  // by runs its pending operation
  std::vector<unsigned> options_at(std::span<const unsigned> enabled, unsigned running,
                                   bool can_go_on) const;
  //! The one thread a trial that branches no more goes on with.
  unsigned without_branching(std::span<const unsigned> enabled, unsigned running,
                             bool can_go_on) const;
  bool yielded(unsigned t) const { return t < yielded_.size() && yielded_[t]; }
  bool dpor() const { return bound_ < 0 && !held_ && !redundant_; }
  void ran_asleep(unsigned t);
  //! Thread t ran its pending operation: adds it to the trace and clocks.
  void record(unsigned t);
  //! The last step that races with t's pending operation, or -1.
  std::int64_t race(unsigned t) const;
  //! DPOR: t's pending operation, and each thread's, against the trace.
  void add_races();
  void add_backtrack(std::int64_t node, unsigned t);
  bool before(std::int64_t step, unsigned t) const;  // it happens-before t's next step
  //! Which turn of a spin t's pending operation is: 0 if it reads nothing,
  //! else one more than the reads of its granule just before it, in a row
  //! and with nothing written there between (1: not a repeat).
  std::uint32_t spin_turn(unsigned t) const;
  //! t's pending operation is a yield inside a spin, after its second turn.
  bool absorbed(unsigned t) const;
  //! The step that stands for t's last one in a race: its spin's second
  //! turn, if it spun more, else its last step.
  std::int64_t stands_for_last(unsigned t) const;

  std::int64_t bound_;
  std::vector<Node> stack_;
  std::size_t depth_ = 0;           // the choice the trial is at
  std::vector<unsigned> sleeping_;  // thread ids; their events are pending_[t]
  std::vector<Event> pending_;      // each thread's announced next operation
  std::vector<bool> yielded_;
  // DPOR's trace of this trial (cleared per trial; the clocks allocate, a
  // search's price like its nodes): which operations ran, each thread's
  // clock, last operation and last objectless operation, each granule's.
  std::vector<Step> trace_;
  std::vector<Clock> clocks_;
  std::vector<std::int64_t> last_;
  std::vector<Seen> objectless_;
  std::unordered_map<std::uintptr_t, Granule> granules_;
  std::vector<bool> started_;            // t announced an operation this trial
  std::vector<bool> fresh_;              // t announced its first operation just now
  std::vector<bool> recorded_;           // t's pending operation is in the trace
  std::vector<std::int64_t> chosen_at_;  // the choice that gave t its turn; -1
  std::vector<Spin> spins_;              // by thread: the reads its last operation ended
  std::int64_t preemptions_ = 0;
  bool redundant_ = false;  // this trial's every enabled thread slept
  bool exhausted_ = false;
  bool held_ = false;
  bool diverged_ = false;
  std::uint64_t interleavings_ = 0;
};

}  // namespace strain::sched
