// The controlled scheduler's decisions: the trial's reset, the team's role
// threads' start and end, points, blocks and wake-ups, the weak memory
// model's loads and stores, and the choice of the next thread. The turn's
// hand-off is in controller_turn.cpp, the threads the code under test
// starts in controller_threads.cpp, the waits for I/O in controller_io.cpp,
// the reports in controller_reports.cpp.

#include "sched/controller.hpp"

#include <execinfo.h>
#include <fmt/format.h>

#include <algorithm>

#include "core/spare_cores.hpp"
#include "core/tsan_ignore.hpp"
#include "runtime/abi_types.hpp"
#include "sched/dfs.hpp"
#include "sched/thread_sched.hpp"
#include "strain/context.hpp"

namespace strain::sched {

namespace {

using detail::Access;
using detail::WaitResult;

// The hooks the primitives call: they find the controller and the thread's
// index through the context's strategy state.
Controller& of(Context& c, unsigned& t) {
  auto& ts = *static_cast<ThreadSched*>(detail::context_data(c).sched);
  t = ts.index;
  return *ts.controller;
}
WaitResult hook_block(Context& c, const void* object, const char* label, bool timed) noexcept {
  unsigned t;
  Controller& ctl = of(c, t);
  // A <strain/sync.hpp> primitive: the site an exported call noted earlier
  // is not where this thread waits.
  ctl.forget_site(t);
  return ctl.block(t, object, label, timed);
}
void hook_wake(Context& c, const void* object, bool all) noexcept {
  unsigned t;
  of(c, t).wake(t, object, all);
}
std::uint64_t hook_load(Context& c, const void* object, std::uint64_t newest, int order) noexcept {
  unsigned t;
  return of(c, t).load(t, object, newest, order);
}
void hook_store(Context& c, const void* object, std::uint64_t before, std::uint64_t after,
                int order, bool update) noexcept {
  unsigned t;
  of(c, t).store(t, object, before, after, order, update);
}
const detail::SchedHooks kHooks{&hook_block, &hook_wake, nullptr, nullptr};
const detail::SchedHooks kModelHooks{&hook_block, &hook_wake, &hook_load, &hook_store};

}  // namespace

Controller::Controller(const model::Strategy& s, std::vector<std::string> names)
    : strategy_(s),
      names_(std::move(names)),
      n_(static_cast<unsigned>(names_.size())),
      cap_(n_ + kMaxSpawned),
      dirty_(cap_),
      slots_(std::make_unique<Slot[]>(cap_)),
      steers_(std::make_unique<Steer[]>(cap_)),
      events_(cap_),
      keys_(std::make_unique<ThreadKeys[]>(cap_)) {
  for (unsigned t = n_; t < cap_; ++t) steers_[t].own_keys = true;
  if (s.pick == model::Pick::portfolio) {
    // PCT at depths 1 to 3 (bugs of one to three ordering constraints; depth
    // 1 is priority order, the sequential runs), POS (orders of conflicting
    // operations, whatever the threads' lengths) and the random walk (many
    // switches): no single one found every kernel of the detection
    // benchmark, which each found some the others missed.
    using model::Pick;
    for (const auto& [pick, depth] : std::initializer_list<std::pair<Pick, std::int64_t>>{
             {Pick::pct, 1}, {Pick::pct, 2}, {Pick::pct, 3}, {Pick::pos, 0}, {Pick::random, 0}}) {
      members_.push_back(make_picker(pick, depth));
      member_picks_.push_back(pick);
      member_depths_.push_back(depth);
    }
  } else if (s.pick == model::Pick::dfs) {
    auto dfs = std::make_unique<DfsPicker>(s.preemption_bound);
    dfs_ = dfs.get();
    members_.push_back(std::move(dfs));
    member_picks_.push_back(s.pick);
    member_depths_.push_back(0);
  } else {
    members_.push_back(make_picker(s.pick, s.depth));
    member_picks_.push_back(s.pick);
    member_depths_.push_back(s.depth);
  }
  picker_ = members_.front().get();
  if (s.weak_memory) model_ = std::make_unique<MemoryModel>(cap_);
  cores_ = core::usable_cores();
  spin_ = n_ <= cores_;
  enabled_.reserve(cap_);
  timed_.reserve(cap_);
  names_.resize(cap_);
  const Steer::Plain plain = s.plain_accesses == model::PlainAccesses::all   ? Steer::Plain::all
                             : s.plain_accesses == model::PlainAccesses::off ? Steer::Plain::off
                                                                             : Steer::Plain::shared;
  for (unsigned t = 0; t < cap_; ++t) {
    steers_[t].controller = this;
    steers_[t].index = t;
    steers_[t].plain = plain;
  }
  if (plain == Steer::Plain::shared) granules_ = std::make_unique<Granule[]>(kGranules);
}

Controller::~Controller() = default;

const detail::SchedHooks* Controller::hooks() const { return model_ ? &kModelHooks : &kHooks; }

std::string Controller::describe() const {
  const model::Pick pick = member_picks_[member_];
  std::string d =
      fmt::format("controlled/{}{}", portfolio() ? "portfolio: " : "", model::to_string(pick));
  if (pick == model::Pick::pct) d += fmt::format(" depth={} steps={}", member_depths_[member_], k_);
  if (model_) d += " weak_memory";
  return d;
}

void Controller::begin_trial(std::uint64_t seed, std::optional<std::uint64_t> steps) {
  TsanIgnore ignore;
  // The search replays a prefix of choices each trial: the other choices
  // (which timed wait times out first) must come out the same every trial.
  rng_.reseed((dfs_ != nullptr ? 0 : seed) ^ 0x6a09e667f3bcc909ULL);
  if (portfolio()) {
    member_ = static_cast<unsigned>(rng_.uniform(0, std::int64_t(members_.size()) - 1));
    picker_ = members_[member_].get();
  }
  k_learned_used_ = member_picks_[member_] == model::Pick::pct && strategy_.steps == 0;
  if (steps) {
    k_ = *steps;
  } else if (strategy_.steps > 0) {
    k_ = static_cast<std::uint64_t>(strategy_.steps);
  } else {
    k_ = max_steps_ > 0 ? max_steps_ : kInitialSteps;
  }
  picker_->begin_trial(rng_, n_, k_);
  // Only the slots the last trial used: the other 64 cost ~7% of the
  // samples of a trivial controlled trial (speed_bench) for nothing.
  dirty_ = std::max(dirty_, live_);
  live_ = n_;
  ++epoch_;
  team_done_ = 0;
  awaiting_spawned_ = false;
  orphans_.clear();
  for (unsigned t = 0; t < dirty_; ++t) {
    Slot& s = slots_[t];
    s.state = t < n_ ? State::runnable : State::unused;
    s.root = t;
    s.parent = t;
    s.detached = false;
    s.blocked_on = nullptr;
    s.label = "";
    s.timed = false;
    s.result = WaitResult::woken;
    s.since = 0;
    s.depth = 0;
    s.where = WhereAt{};
    s.io = nullptr;
    steers_[t].site = nullptr;
    // A started thread of an earlier trial has exited, and its shadow stack
    // with it.
    if (t >= n_) steers_[t].shadow = nullptr;
    events_[t] = Event{};
  }
  dirty_ = n_;
  if (model_) model_->begin_trial();
  current_.store(kNobody, std::memory_order_relaxed);
  aborted_.store(false, std::memory_order_relaxed);
  last_label_.store("thread.start", std::memory_order_relaxed);
  deadlock_ = false;
  io_waiters_ = 0;
  block_count_ = 0;
  steps_ = 0;
  streak_thread_ = kNobody;
  streak_ = 0;
  digest_.reset();
  decisions_.clear();
  follow_pos_ = 0;
  diverged_ = 0;
  log_.clear();
}

void Controller::end_trial() {
  max_steps_ = std::max(max_steps_, steps_);
  if (dfs_ != nullptr) dfs_->end_trial();
}

std::optional<model::Exploration> Controller::exploration() const {
  if (dfs_ == nullptr) return std::nullopt;
  model::Exploration e;
  e.interleavings = dfs_->interleavings();
  e.complete = dfs_->exhausted() && !dfs_->diverged();
  if (dfs_->bound() >= 0) e.bound = dfs_->bound();
  return e;
}

void Controller::follow(std::vector<Decision> decisions) { follow_ = std::move(decisions); }

// Steps are noted in the order they run: a thread's operation at a point
// runs after the point's decision, once the thread has the turn.
void Controller::note(unsigned t, const char* label, const char* suffix) {
  digest_.add(t, label);
  if (*suffix != '\0') digest_.add(t, suffix);
  if (log_steps_) log_.push_back(names_[t] + " " + label + suffix);
}

// The strategy suggested `suggested` among `options`; a followed trace may
// say otherwise. Either way the decision is logged.
unsigned Controller::decide(char kind, unsigned options, unsigned suggested) {
  unsigned chosen = suggested;
  if (follow_pos_ < follow_.size()) {
    const Decision d = follow_[follow_pos_++];
    const bool valid = d.kind == kind && (kind == 'm' ? d.value < options
                                                      : std::find(enabled_.begin(), enabled_.end(),
                                                                  d.value) != enabled_.end());
    if (valid)
      chosen = d.value;
    else
      ++diverged_;
  } else if (!follow_.empty()) {
    ++diverged_;  // the trace ended before the trial did
  }
  decisions_.push_back(Decision{kind, chosen});
  return chosen;
}

void Controller::thread_start(unsigned t) {
  TsanIgnore ignore;
  tls_steer = nullptr;
  await_turn(t);
  if (!aborted_.load(std::memory_order_acquire)) note(t, "thread.start");
  steers_[t].shadow = &tls_shadow;
  tls_steer = &steers_[t];
}

void Controller::thread_end(unsigned t) {
  tls_steer = nullptr;
  if (aborted_.load(std::memory_order_acquire)) return;
  TsanIgnore ignore;
  note(t, "thread.end");
  if (++team_done_ == n_) {
    // The last role ended while threads it or another role started still
    // run: they must end before the trial is checked (its state is theirs
    // too), and that they outlived every role is itself a finding.
    for (unsigned u = n_; u < live_; ++u) {
      const Slot& s = slots_[u];
      if (s.state == State::finished) continue;
      orphans_ += fmt::format("{}{} (started by {}{})", orphans_.empty() ? "" : ", ", names_[u],
                              names_[s.parent], s.detached ? ", detached" : ", never joined");
    }
    if (!orphans_.empty()) {
      awaiting_spawned_ = true;
      if (block(t, &team_done_, "trial.end (the threads the roles started still run)", false) ==
          WaitResult::aborted)
        return;
    }
  }
  slots_[t].state = State::finished;
  picker_->performed(t);
  schedule(t);
}

void Controller::point(unsigned t, const char* label, const void* object, Access kind) {
  if (aborted_.load(std::memory_order_acquire)) return;
  TsanIgnore ignore;
  SteerPause pause;
  points_.store(points_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  last_label_.store(label, std::memory_order_relaxed);
  events_[t] = Event{object, kind};
  picker_->announce(rng_, t, events_[t]);
  if (kind == Access::yield) picker_->demote(rng_, t);
  schedule(t);
  note(t, label);
  // A primitive's operation publishes what this thread did and sees what
  // the others published, once the thread has the turn to perform it: the
  // turn is not handed over between this and the operation. A wait does so
  // with every object (see memory_model.hpp).
  if (model_ && synchronises(kind)) model_->sync(t, kind == Access::wait ? nullptr : object);
}

WaitResult Controller::block(unsigned t, const void* object, const char* label, bool timed) {
  if (aborted_.load(std::memory_order_acquire)) return WaitResult::aborted;
  TsanIgnore ignore;
  SteerPause pause;
  note(t, label, " (blocked)");
  Slot& s = slots_[t];
  s.state = State::blocked;
  s.blocked_on = object;
  s.label = label;
  s.timed = timed;
  s.since = ++block_count_;
  s.result = WaitResult::woken;
  s.where = WhereAt::of(steers_[t].site, steers_[t].shadow);
  picker_->performed(t);
  schedule(t);
  if (aborted_.load(std::memory_order_acquire)) {
    // The wait site, for the deadlock report: this thread's own stack.
    if (deadlock_) s.depth = ::backtrace(s.frames.data(), kFrames);
    return WaitResult::aborted;
  }
  // The wake-up is a step of its own (the pickers see it: see
  // make_runnable): without it in the digest, two interleavings that differ
  // only in where a woken thread resumed had one digest.
  note(t, label, s.result == WaitResult::woken ? " (woken)" : " (timed out)");
  if (model_ && s.result == WaitResult::woken) model_->sync(t, nullptr);
  return s.result;
}

void Controller::make_runnable(unsigned t, WaitResult why) {
  Slot& s = slots_[t];
  s.state = State::runnable;
  s.result = why;
  // The wake-up is an operation: it retakes what the wait released (a
  // condition wait's mutex, a primitive's inner lock), which need not be
  // the object it waited on.
  events_[t] = Event{s.blocked_on, Access::wait};
  s.blocked_on = nullptr;
  picker_->announce(rng_, t, events_[t]);
}

void Controller::wake(unsigned, const void* object, bool all) {
  if (aborted_.load(std::memory_order_acquire)) return;
  TsanIgnore ignore;
  unsigned first = kNobody;
  for (unsigned u = 0; u < live_; ++u) {
    const Slot& s = slots_[u];
    if (s.state != State::blocked || s.blocked_on != object) continue;
    if (all) {
      make_runnable(u, WaitResult::woken);
    } else if (first == kNobody || s.since < slots_[first].since) {
      first = u;
    }
  }
  if (first != kNobody) make_runnable(first, WaitResult::woken);
}

std::uint64_t Controller::load(unsigned t, const void* object, std::uint64_t newest, int order) {
  if (!model_ || aborted_.load(std::memory_order_acquire)) return newest;
  TsanIgnore ignore;
  return model_->load(t, object, newest, order, [this, t](unsigned n, bool repeat) {
    // The search tries every store the load may read (see dfs.hpp). Half
    // the loads that have a choice read the newest store; the others one of
    // the older ones they may read.
    const unsigned suggested = dfs_ != nullptr ? dfs_->read_from(n, repeat)
                               : rng_.chance(0.5)
                                   ? 0u
                                   : static_cast<unsigned>(rng_.uniform(1, std::int64_t(n) - 1));
    const unsigned back = decide('m', n, suggested);
    // A stale read makes another execution of the same schedule: the digest
    // and the failure's trace say which store the load read.
    if (back != 0) {
      digest_.add_read(t, back);
      if (log_steps_)
        log_.push_back(
            fmt::format("{}   read a stale value: the store {} before the newest ({} it may read)",
                        names_[t], back, n));
    }
    return back;
  });
}

void Controller::store(unsigned t, const void* object, std::uint64_t before, std::uint64_t after,
                       int order, bool update) {
  if (!model_ || aborted_.load(std::memory_order_acquire)) return;
  TsanIgnore ignore;
  model_->store(t, object, before, after, order, update);
}

// The runnable threads, in slot order, into enabled_.
void Controller::collect_enabled() {
  enabled_.clear();
  for (unsigned u = 0; u < live_; ++u)
    if (slots_[u].state == State::runnable) enabled_.push_back(u);
}

// Called by `self`, which holds the turn and whose slot says what it does
// now. Picks the next thread and hands it the turn; returns once `self` has
// the turn again (at once if it keeps it), or at once if `self` finished.
void Controller::schedule(unsigned self) {
  if (io_waiters_ > 0) [[unlikely]]
    wake_ready_io(-1);
  collect_enabled();
  if (enabled_.empty()) {
    timed_.clear();
    bool blocked = false;
    for (unsigned u = 0; u < live_; ++u) {
      if (slots_[u].state != State::blocked) continue;
      blocked = true;
      if (slots_[u].timed) timed_.push_back(u);
    }
    // Threads waiting for I/O first: what the world outside (or a process
    // the code started) sends ends their wait, in real time, before an
    // in-process timeout, which fires only once nothing else can happen.
    if (io_waiters_ > 0 && await_io(!timed_.empty())) {
      collect_enabled();
    } else if (!timed_.empty()) {
      // Nothing else can happen: a timed wait times out. Which one, if
      // several, is a choice like any other.
      unsigned w = timed_[0];
      if (timed_.size() > 1) {
        const unsigned suggested =
            timed_[static_cast<std::size_t>(rng_.uniform(0, std::int64_t(timed_.size()) - 1))];
        std::swap(enabled_, timed_);  // decide() checks a thread choice against enabled_
        w = decide('w', live_, suggested);
        std::swap(enabled_, timed_);
      }
      make_runnable(w, WaitResult::timed_out);
      enabled_.push_back(w);
    } else if (blocked) {
      abort_deadlock();
      return;
    } else {
      current_.store(kNobody, std::memory_order_release);  // every thread finished
      return;
    }
  }
  unsigned next = enabled_[0];
  if (enabled_.size() > 1) {
    ++steps_;
    // A thread that keeps the turn at spin_limit choices in a row, while
    // others could run, is taken for a spin loop without a yield and
    // demoted; under PCT it would otherwise spin forever.
    if (streak_thread_ == self && slots_[self].state == State::runnable &&
        ++streak_ >= static_cast<std::uint64_t>(strategy_.spin_limit)) {
      picker_->demote(rng_, self);
      streak_ = 0;
    }
    next = decide('t', live_, picker_->pick(rng_, enabled_, self, events_));
    if (next != streak_thread_) {
      streak_thread_ = next;
      streak_ = 0;
    }
  }
  if (next == self) return;
  hand_to(next);
  if (slots_[self].state != State::finished) await_turn(self);
}

}  // namespace strain::sched
