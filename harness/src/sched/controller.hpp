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

#include "core/apart.hpp"
#include "core/brief_spin.hpp"
#include "model/result.hpp"
#include "model/strategy.hpp"
#include "runtime/abi_types.hpp"
#include "sched/dfs.hpp"
#include "sched/io_wait.hpp"
#include "sched/memory_model.hpp"
#include "sched/picker.hpp"
#include "sched/shadow_stack.hpp"
#include "sched/steer.hpp"
#include "sched/thread_keys.hpp"
#include "sched/trace.hpp"
#include "strain/context.hpp"
#include "strain/rng.hpp"

namespace strain::sched {

class RoleFibers;

class Controller {
 public:
  //! A scheduler for a team whose thread k is named `names[k]` ("role#i").
  Controller(const model::Strategy& s, std::vector<std::string> names);
  //! Threads the roles may start in one trial (std::thread, pthread_create)
  //! besides the team: their slots are made up front, so starting one
  //! allocates nothing the trial loop would notice.
  static constexpr unsigned kMaxSpawned = 64;
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  //! PCT's k for a case's first trial, before any trial was counted.
  static constexpr std::uint64_t kInitialSteps = 16;

  //! The hooks the primitives call (ContextData::hooks).
  const detail::SchedHooks* hooks() const;

  // --- between trials, on the thread that prepares them -------------------
  //! Resets for a trial with seed `seed`. PCT's k is `steps` if given, else
  //! the spec's, else the largest step count of the earlier trials. The
  //! trial's threads wait until first_turn() is called.
  void begin_trial(std::uint64_t seed, std::optional<std::uint64_t> steps);
  //! Once the trial is set up, before its threads start: chooses which
  //! team thread runs first (the trial's first decision) and gives it the
  //! turn.
  void first_turn();
  //! Learns from the trial that ended (PCT's k).
  void end_trial();
  //! Makes the next trials follow `decisions` instead of the strategy where
  //! they apply.
  void follow(std::vector<Decision> decisions);
  //! Keeps a readable log of every step ("role#i label") for a trace.
  void log_steps(bool on) { log_steps_ = on; }
  //! The team's roles, and the threads the code under test starts, run as
  //! `fibers` on one thread (role_fibers.hpp): a hand-off switches to the
  //! holder's fiber instead of waking a thread.
  void run_roles_as(RoleFibers* fibers) {
    fibers_ = fibers;
    for (unsigned t = 0; t < n_; ++t) steers_[t].fiber = steers_[t].own_keys = fibers != nullptr;
  }

  //! The fibers the trial's threads run as, or null (threads).
  RoleFibers* fibers() const { return fibers_; }
  //! Whether `thread` is a fiber's stand-in pthread_t (its Steer's address).
  bool is_stand_in(unsigned long thread) const {
    const auto first = reinterpret_cast<unsigned long>(steers_.get());
    return fibers_ != nullptr && thread >= first && thread < first + cap_ * sizeof(Steer) &&
           (thread - first) % sizeof(Steer) == 0;
  }

  // --- from the fibers' host thread ----------------------------------------
  //! The thread that holds the turn (kNoSlot: none, or every one ended).
  unsigned holder() const { return current_.load(std::memory_order_acquire); }
  //! Whether the trial was aborted (a deadlock): every thread unwinds.
  bool aborted() const { return aborted_.load(std::memory_order_acquire); }
  //! Thread `t` that a fiber started (spawn()) runs `start(arg)` on a fiber
  //! of its own; false if its stack could not be mapped.
  //! Its stack has at least `stack_bytes` (the pthread_attr_t's size).
  bool spawn_fiber(unsigned t, void* (*start)(void*), void* arg, std::size_t stack_bytes);

  // --- from the role threads -----------------------------------------------
  //! The team's start of a role: waits until this thread has the turn
  //! (first_turn() or a later hand-off gives it).
  void thread_start(unsigned t);
  //! The end of a role: hands the turn on for good.
  void thread_end(unsigned t);
  //! Thread `parent`, which holds the turn, starts a thread: returns its
  //! index (runnable from now on, and run once picked), or kNoSlot when the
  //! trial started kMaxSpawned threads already. Not a schedule point: the
  //! caller passes one once the OS thread exists.
  unsigned spawn(unsigned parent);
  //! The first thing a started thread does: takes its place (tls_steer)
  //! and waits for its turn.
  void spawned_start(unsigned t);
  //! A started thread ends: its joiners may go on. `exited` is also called
  //! after an aborted trial, once the thread's code unwound.
  void spawned_end(unsigned t);
  void spawned_exited();
  //! The OS thread for spawned slot `t` could not be created.
  void spawn_failed(unsigned t);
  //! The started thread of this trial whose pthread_t is `thread`, or kNoSlot.
  unsigned find_thread(unsigned long thread) const;
  //! Whether a thread of the team started a thread in this trial: only such
  //! a thread can record a failure into a role's context after the role
  //! ended (read by the step between trials, once every role ended).
  bool spawned_any() const { return live_ > n_; }
  //! Waits until every started OS thread left the code under test; the
  //! trial's state may be checked and destroyed only then.
  void wait_spawned_exit();
  //! How a join waits for the thread: until it ends (pthread_join), not at
  //! all (pthread_tryjoin_np), or in a timed wait the scheduler may end, as
  //! it ends a timed lock (pthread_timedjoin_np, pthread_clockjoin_np).
  enum class JoinWait { until_ended, no_wait, timed };
  //! Thread `t` joins thread `target`: 0 once `target` ended, EBUSY or
  //! ETIMEDOUT if it has not (no_wait, timed), -1 if the trial was aborted
  //! meanwhile.
  int join(unsigned t, unsigned target, JoinWait how);
  //! pthread_join: true once `target` ended, false if the trial was aborted.
  bool join(unsigned t, unsigned target) { return join(t, target, JoinWait::until_ended) == 0; }
  //! Thread `target` was detached: nobody will join it.
  void detach(unsigned target);
  //! The team thread whose role thread `t` belongs to (itself for a team
  //! thread; for a started thread, the role thread that started its line).
  unsigned root_of(unsigned t) const { return slots_[t].root; }
  //! Started threads that were still running when the last role ended, with
  //! who started them; empty if none (a trial's finding, see case_state).
  const std::string& orphans() const { return orphans_; }
  //! The name of thread `t` in reports ("main#0", "main#0/thread1").
  const std::string& name(unsigned t) const { return names_[t]; }
  //! Whether thread `t`'s plain access to `addr` is to memory another thread
  //! of this trial touched before: then it is a schedule point under
  //! plain_accesses: shared.
  bool shared_access(unsigned t, const void* addr);
  //! Threads of a deadlocked trial that could not unwind (std::terminate
  //! while unwinding from ScheduleAborted) and were parked for good instead;
  //! the watchdog ends the case with the deadlock when it sees one.
  unsigned parked() const { return parked_.load(std::memory_order_acquire); }
  //! Makes std::terminate on a thread of an aborted controlled trial park
  //! that thread (see parked()) instead of ending the process; other
  //! terminations go to the handler that was installed before. Idempotent.
  static void guard_terminate();
  //! Parks the calling thread of this controller's trial for good.
  [[noreturn]] void park_forever();
  //! The started threads of the current trial that have not ended, as
  //! (name, pthread_t), for the watchdog's stacks of a hang: read from
  //! another thread while the trial is stuck, so only roughly consistent.
  std::vector<std::pair<std::string, unsigned long>> running_spawned() const;
  //! Thread `t`'s place, for tls_steer.
  Steer* steer(unsigned t) { return &steers_[t]; }
  //! Thread `t`'s pthread key values, where its Steer says it owns them.
  ThreadKeys& keys(unsigned t) { return keys_[t]; }
  //! Failures of team thread `t`'s line (its started threads, assertions)
  //! are recorded in `ctx`.
  void set_owner(unsigned t, Context* ctx) { steers_[t].owner = ctx; }
  //! Thread `t` reaches the scheduler by a way that notes no site.
  void forget_site(unsigned t) { steers_[t].site = nullptr; }
  static constexpr unsigned kNoSlot = ~0u;
  //! A schedule point of thread `t`, which holds the turn.
  void point(unsigned t, const char* label, const void* object, detail::Access kind);
  detail::WaitResult block(unsigned t, const void* object, const char* label, bool timed);
  //! Thread `t` waits for I/O (io_wait.hpp): woken once `io` is ready,
  //! which every decision asks while it waits; timed_out once its deadline
  //! passed while every thread was blocked; aborted.
  detail::WaitResult block_io(unsigned t, const IoWait& io, const char* label);
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
  //! Whether the pick is the portfolio (then reports name the member).
  //! Strategy controlled/dfs: whether the search has run every
  //! interleaving, and how far it got; the search runs the last trial's
  //! interleaving again from now on (a replay).
  bool exhausted() const { return dfs_ != nullptr && dfs_->exhausted(); }
  std::optional<model::Exploration> exploration() const;
  void hold_exploration() {
    if (dfs_ != nullptr) dfs_->hold();
  }
  //! Forgets what the search explored (after a warm-up trial).
  void restart_exploration() {
    if (dfs_ != nullptr) dfs_->restart();
  }
  bool portfolio() const { return members_.size() > 1; }
  //! The strategy, for traces: "controlled/pct depth=3".
  std::string describe() const;

  // --- any time, from the watchdog -----------------------------------------
  //! What the thread holding the turn was last seen doing, for a hang in
  //! which no point was passed for `quiet_s` seconds (the watchdog's view).
  std::string stall_report(double quiet_s) const;
  //! The threads other than `cur` that are fibers switched out, for
  //! stall_report(); empty when the trial's threads are threads.
  std::string switched_out_fibers(unsigned cur) const;
  //! Whether every thread is blocked and the scheduler waits in the kernel
  //! for I/O (a hang then is no code the scheduler cannot see).
  bool waiting_for_io() const { return io_idle_.load(std::memory_order_acquire); }
  //! Points passed so far (all trials): the watchdog tells from it when the
  //! last one was, instead of every point reading the clock (~29 ns under
  //! kvm-clock, issue 12).
  std::uint64_t points_passed() const { return points_.load(std::memory_order_relaxed); }

 private:
  enum class State : std::uint32_t { runnable, blocked, finished, unused };
  static constexpr unsigned kNobody = ~0u;
  static constexpr int kFrames = 32;
  struct alignas(core::kApart) Slot {
    std::atomic<std::uint32_t> futex{0};
    // Set while the thread may sleep on `futex`: a hand-off makes the wake
    // system call only then (see hand_to()).
    std::atomic<std::uint32_t> sleeping{0};
    core::BriefSpin brief;  // whether its brief spins pay (await_turn())
    State state = State::runnable;
    const void* blocked_on = nullptr;
    const char* label = "";
    bool timed = false;
    detail::WaitResult result = detail::WaitResult::woken;
    std::uint64_t since = 0;  // block order, for first-come wake-ups
    std::array<void*, kFrames> frames{};
    int depth = 0;  // frames captured at the wait site of a deadlock
    // Where the code under test was at its last wait: the site it called
    // from and its shadow stack (empty for code that reaches the scheduler
    // through <strain/sync.hpp>, which notes neither).
    WhereAt where;
    unsigned root = 0;           // the team thread whose line this thread belongs to
    unsigned parent = 0;         // who started it (started threads only)
    bool detached = false;       // started threads only
    const IoWait* io = nullptr;  // what it waits for, while it waits in block_io()
  };

  void schedule(unsigned self);
  void hand_to(unsigned next);
  void await_turn(unsigned self);
  void abort_deadlock();
  void collect_enabled();
  bool wake_ready_io(std::int64_t now_ns, std::int64_t* next_deadline = nullptr);
  bool await_io(bool bounded);
  std::string waits(bool stacks) const;
  void make_runnable(unsigned t, detail::WaitResult why);
  unsigned decide(char kind, unsigned options, unsigned suggested);
  void note(unsigned t, const char* label, const char* suffix = "");

  model::Strategy strategy_;
  std::vector<std::string> names_;
  unsigned n_;         // team threads: slots 0 .. n_-1
  unsigned cap_;       // n_ + kMaxSpawned
  unsigned live_ = 0;  // slots in use this trial: the team and the started threads
  // Slots begin_trial() must reset: every one at first, then those the last
  // trial used (live_ only grows within a trial).
  unsigned dirty_ = 0;
  unsigned team_done_ = 0;         // team threads that ended this trial
  bool awaiting_spawned_ = false;  // the last team thread waits for started ones
  std::string orphans_;
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<Steer[]> steers_;
  // Who touched an 8-byte granule first, for shared_access(): open
  // addressing over a fixed table made once per case (no allocation in a
  // trial). Per trial, by an epoch rather than a clear of the table: what
  // is a point must depend on the trial alone, or a replay of trial N, run
  // without trials 0..N-1 before it, would take other turns. (Learning
  // across trials found more, and broke exact replay: tried first.)
  struct Granule {
    std::uintptr_t addr = 0;
    std::uint64_t epoch = 0;
    unsigned owner = 0;  // a thread index, or kShared
  };
  std::uint64_t epoch_ = 0;
  static constexpr unsigned kShared = ~0u;
  static constexpr std::size_t kGranules = std::size_t{1} << 16;
  std::unique_ptr<Granule[]> granules_;
  std::atomic<unsigned> spawned_running_{0};  // started OS threads not yet exited
  std::atomic<unsigned> parked_{0};
  // The pickers: one, or the members of the `portfolio` pick, of which each
  // trial draws one from its seed (so a replay draws the same).
  std::vector<std::unique_ptr<Picker>> members_;
  DfsPicker* dfs_ = nullptr;  // members_'s only one under controlled/dfs
  std::vector<model::Pick> member_picks_;
  std::vector<std::int64_t> member_depths_;
  unsigned member_ = 0;
  Picker* picker_ = nullptr;
  std::unique_ptr<MemoryModel> model_;
  Rng rng_;
  std::vector<Event> events_;
  std::vector<unsigned> enabled_, timed_;

  alignas(core::kApart) std::atomic<unsigned> current_{kNobody};
  std::atomic<bool> aborted_{false};
  // For stall_report(), read by the watchdog thread.
  std::atomic<std::uint64_t> points_{0};  // written by the turn holder only
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
  unsigned cores_ = 1;
  std::vector<std::string> log_;
  // Last, so that a team of threads keeps the layout it was measured with.
  RoleFibers* fibers_ = nullptr;  // the trial's fibers, if its threads run as such
  unsigned io_waiters_ = 0;       // threads in block_io(): each decision polls them
  // Set while every thread is blocked and the scheduler waits in the kernel
  // for I/O (await_io()): a hang then is that wait, not the turn holder's.
  std::atomic<bool> io_idle_{false};
  std::unique_ptr<ThreadKeys[]> keys_;  // per slot (thread_keys.hpp)
};

}  // namespace strain::sched
