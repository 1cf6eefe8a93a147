#pragma once
// The controlled scheduler: one role thread of a trial runs at a time, and at
// every schedule point the scheduler picks the thread that runs next (a
// random walk, PCT or POS, see picker.hpp). A primitive that cannot proceed
// (a held mutex, an empty queue, a condvar wait) parks its thread here, and
// another runs; when every thread is parked the trial is a deadlock, and
// every thread's wait site is recorded. Everything the scheduler decides
// comes from the trial's seed, so a trial replays exactly; its decisions can
// also be recorded and followed (trace.hpp).
//
// Threads hand the turn to each other directly: the holder picks the next
// thread, publishes it and wakes it on its own futex word, then waits on its
// own. Nothing here allocates in the steady state except the decision log.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sched/memory_model.hpp"
#include "sched/picker.hpp"
#include "sched/trace.hpp"
#include "spec/spec.hpp"
#include "strain/rng.hpp"
#include "strain/schedule.hpp"

namespace strain::sched {

class Controller {
 public:
  //! A scheduler for a team whose thread k is named `names[k]` ("role#i").
  Controller(const spec::Strategy& s, std::vector<std::string> names);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  //! PCT's k for a case's first trial, before any trial was counted.
  static constexpr std::uint64_t kInitialSteps = 16;

  //! The hooks the primitives call (ContextData::hooks).
  const detail::SchedHooks* hooks() const;

  // --- between trials, on the thread that prepares them -------------------
  //! Resets for a trial with seed `seed`. PCT's k is `steps` if given, else
  //! the spec's, else the largest step count of the earlier trials.
  void begin_trial(std::uint64_t seed, std::optional<std::uint64_t> steps);
  //! Learns from the trial that ended (PCT's k).
  void end_trial();
  //! Makes the next trials follow `decisions` instead of the strategy where
  //! they apply.
  void follow(std::vector<Decision> decisions);
  //! Keeps a readable log of every step ("role#i label") for a trace.
  void log_steps(bool on) { log_steps_ = on; }

  // --- from the role threads -----------------------------------------------
  //! The team's start of a role: waits until every thread has arrived and
  //! this one is picked.
  void thread_start(unsigned t);
  //! The end of a role: hands the turn on for good.
  void thread_end(unsigned t);
  //! A schedule point of thread `t`, which holds the turn.
  void point(unsigned t, const char* label, const void* object, detail::Access kind);
  detail::WaitResult block(unsigned t, const void* object, const char* label, bool timed);
  void wake(unsigned t, const void* object, bool all);
  std::uint64_t load(unsigned t, const void* object, std::uint64_t newest, int order);
  void store(unsigned t, const void* object, std::uint64_t before, std::uint64_t after, int order,
             bool update);

  // --- after a trial -------------------------------------------------------
  //! True if every thread ended up blocked.
  bool deadlocked() const { return deadlock_; }
  //! Every thread and where it waits; `stacks` adds each blocked thread's
  //! frames in the plugin (symbolized: slow).
  std::string deadlock_report(bool stacks) const;
  //! The interleaving's digest (every step's thread and label).
  const Digest& digest() const { return digest_; }
  const std::vector<Decision>& decisions() const { return decisions_; }
  const std::vector<std::string>& step_log() const { return log_; }
  //! PCT's k used by this trial, and whether it was learned (then a replay
  //! must be told it).
  std::uint64_t steps_used() const { return k_; }
  bool steps_learned() const { return k_learned_used_; }
  //! Choices between two or more runnable threads in this trial.
  std::uint64_t steps_taken() const { return steps_; }
  //! Decisions of a followed trace that could not be applied (0: followed).
  std::uint64_t divergences() const { return diverged_; }
  //! The strategy, for traces: "controlled/pct depth=3".
  std::string describe() const;

  // --- any time, from the watchdog -----------------------------------------
  //! What the thread holding the turn was last seen doing, for a hang.
  std::string stall_report() const;

 private:
  enum class State : std::uint32_t { runnable, blocked, finished };
  static constexpr unsigned kNobody = ~0u;
  static constexpr int kFrames = 32;
  struct alignas(64) Slot {
    std::atomic<std::uint32_t> futex{0};
    State state = State::runnable;
    const void* blocked_on = nullptr;
    const char* label = "";
    bool timed = false;
    detail::WaitResult result = detail::WaitResult::woken;
    std::uint64_t since = 0;  // block order, for first-come wake-ups
    std::array<void*, kFrames> frames{};
    int depth = 0;  // frames captured at the wait site of a deadlock
  };

  void schedule(unsigned self);
  void hand_to(unsigned next);
  void await_turn(unsigned self);
  void abort_deadlock();
  void make_runnable(unsigned t, detail::WaitResult why);
  unsigned decide(char kind, unsigned options, unsigned suggested);
  void note(unsigned t, const char* label, const char* suffix = "");

  spec::Strategy strategy_;
  std::vector<std::string> names_;
  unsigned n_;
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<Picker> picker_;
  std::unique_ptr<MemoryModel> model_;
  Rng rng_;
  std::vector<Event> events_;
  std::vector<unsigned> enabled_, timed_;

  alignas(64) std::atomic<unsigned> current_{kNobody};
  std::atomic<unsigned> arrived_{0};
  std::atomic<bool> aborted_{false};
  // For stall_report(), read by the watchdog thread.
  std::atomic<std::int64_t> last_point_ns_{0};
  std::atomic<const char*> last_label_{""};

  bool deadlock_ = false;
  std::uint64_t block_count_ = 0;
  std::uint64_t steps_ = 0;
  std::uint64_t max_steps_ = 0;  // over the trials so far
  std::uint64_t k_ = 0;
  bool k_learned_used_ = false;
  unsigned streak_thread_ = kNobody;
  std::uint64_t streak_ = 0;
  Digest digest_;
  std::vector<Decision> decisions_;
  std::vector<Decision> follow_;
  std::size_t follow_pos_ = 0;
  std::uint64_t diverged_ = 0;
  bool log_steps_ = false;
  bool spin_ = false;  // whether waiting threads spin before sleeping
  std::vector<std::string> log_;
};

}  // namespace strain::sched
