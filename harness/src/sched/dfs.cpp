#include "sched/dfs.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace strain::sched {

namespace {

bool contains(const std::vector<unsigned>& v, unsigned t) {
  return std::find(v.begin(), v.end(), t) != v.end();
}

std::uintptr_t granule(const void* p) { return reinterpret_cast<std::uintptr_t>(p) >> 3; }

// What an operation touches, and whether it writes there: its object's
// granule and, for a synchronisation operation, one granule they all share,
// which a wait writes and the others read. A wait acts on a second object
// its point does not name (a condition wait releases and retakes its mutex;
// a wake-up retakes what the wait released, a primitive's inner lock
// included), so it is ordered with every synchronisation operation; the
// others (lock, unlock, notify, a queue's or a semaphore's) only with those
// on their own object. The one statement of what conflicts: conflict(),
// the clocks and the races all read it. No address shifted right by 3
// reaches these keys.
constexpr std::uintptr_t kNoGranule = ~std::uintptr_t{0};
constexpr std::uintptr_t kSyncGranule = ~std::uintptr_t{0} - 1;

struct Touch {
  std::uintptr_t key;
  bool write;
};

std::array<Touch, 2> granules_of(const Event& e) {
  return {Touch{granule(e.object), writes(e.kind)},
          Touch{synchronises(e.kind) ? kSyncGranule : kNoGranule, e.kind == detail::Access::wait}};
}

void join(std::vector<std::uint32_t>& into, const std::vector<std::uint32_t>& from) {
  if (into.size() < from.size()) into.resize(from.size(), 0);
  for (std::size_t k = 0; k < from.size(); ++k) into[k] = std::max(into[k], from[k]);
}

}  // namespace

DfsPicker::DfsPicker(std::int64_t preemption_bound) : bound_(preemption_bound) {}

bool DfsPicker::conflict(const Event& a, const Event& b) {
  if (a.object == nullptr || b.object == nullptr) return true;
  // Same 8-byte granule, not the same address: a 4-byte write into the
  // high half of an 8-byte word conflicts with a read of the word.
  for (const auto [ka, wa] : granules_of(a))
    for (const auto [kb, wb] : granules_of(b))
      if (ka != kNoGranule && ka == kb && (wa || wb)) return true;
  return false;
}

void DfsPicker::begin_trial(Rng&, unsigned threads, std::uint64_t) {
  depth_ = 0;
  sleeping_.clear();
  pending_.assign(threads, Event{});
  yielded_.assign(threads, false);
  preemptions_ = 0;
  redundant_ = false;
  trace_.clear();
  clocks_.assign(threads, Clock(threads, 0));
  last_.assign(threads, -1);
  objectless_.assign(threads, Seen{});
  granules_.clear();
  started_.assign(threads, false);
  fresh_.assign(threads, false);
  recorded_.assign(threads, false);
  chosen_at_.assign(threads, -1);
  spins_.assign(threads, Spin{});
}

void DfsPicker::add_thread(Rng&, unsigned t) { grow(t); }

void DfsPicker::grow(unsigned t) {
  if (pending_.size() <= t) {
    pending_.resize(t + 1);
    yielded_.resize(t + 1, false);
  }
  if (clocks_.size() <= t) {
    clocks_.resize(t + 1);
    last_.resize(t + 1, -1);
    objectless_.resize(t + 1);
    started_.resize(t + 1, false);
    fresh_.resize(t + 1, false);
    recorded_.resize(t + 1, false);
    chosen_at_.resize(t + 1, -1);
    spins_.resize(t + 1);
  }
}

void DfsPicker::announce(Rng&, unsigned t, const Event& e) {
  grow(t);
  // Thread t ran the operation it announced before (or was woken from it).
  if (!recorded_[t]) ran_asleep(t);
  if (started_[t] && !recorded_[t]) record(t);
  // A start is no operation (see the top of dfs.hpp): nothing to record;
  // under DPOR the thread goes on to its first operation with no choice
  // between, as if both were one step (see pick()).
  if (!started_[t]) fresh_[t] = bound_ < 0;
  wake_conflicting(t);
  pending_[t] = e;
  started_[t] = true;
  recorded_[t] = false;
}

void DfsPicker::performed(unsigned t) {
  grow(t);
  if (!recorded_[t]) ran_asleep(t);
  if (started_[t] && !recorded_[t]) record(t);
  recorded_[t] = true;
}

// A sleeping thread ran, where it was the only one that could (no choice,
// so no pick kept it out): the trial goes on where a branch already went.
void DfsPicker::ran_asleep(unsigned t) {
  if (contains(sleeping_, t)) redundant_ = true;
}

void DfsPicker::record(unsigned t) {
  recorded_[t] = true;
  fresh_[t] = false;
  const std::int64_t node = std::exchange(chosen_at_[t], -1);
  if (!dpor()) return;
  const Event& e = pending_[t];
  // A yield between turns of a spin is part of the turn (see dfs.hpp): no
  // step of the trace.
  if (absorbed(t)) return;
  const std::uint32_t turn = spin_turn(t);
  // The race of the operation that ran, against the trace before it (a
  // choice with one runnable thread is no pick, so it was not seen there).
  if (const std::int64_t racing = race(t); racing >= 0)
    add_backtrack(trace_[static_cast<std::size_t>(racing)].node, t);
  const auto step = static_cast<std::int64_t>(trace_.size());
  Clock& c = clocks_[t];
  if (c.size() <= t) c.resize(t + 1, 0);
  const std::uint32_t nth = ++c[t];
  // The clock of an operation joins those of the earlier operations it
  // conflicts with; the latest of each kind stands for the ones before it,
  // which it conflicts with or follows in its thread.
  if (e.object == nullptr) {
    for (unsigned q = 0; q < clocks_.size(); ++q)
      if (q != t) join(c, clocks_[q]);
    objectless_[t] = Seen{step, c};
  } else {
    const auto keys = granules_of(e);
    for (const auto [key, write] : keys) {
      if (key == kNoGranule) continue;
      const Granule& g = granules_[key];
      if (g.write.step >= 0) join(c, g.write.clock);
      if (write)
        for (const Seen& r : g.reads)
          if (r.step >= 0) join(c, r.clock);
    }
    for (unsigned q = 0; q < objectless_.size(); ++q)
      if (q != t && objectless_[q].step >= 0) join(c, objectless_[q].clock);
    for (const auto [key, write] : keys) {
      if (key == kNoGranule) continue;
      Granule& g = granules_[key];
      if (write) {
        g.write = Seen{step, c};
        g.reads.clear();
      } else if (turn <= 2) {
        // The spin's second read stands for the turns after it: a write
        // that races with the spin goes before its first or second read.
        if (g.reads.size() <= t) g.reads.resize(t + 1);
        g.reads[t] = Seen{step, c};
      }
    }
  }
  if (turn > 0)
    spins_[t] = Spin{granule(e.object), turn, step, turn == 2 ? step : spins_[t].second};
  else if (e.kind != detail::Access::yield)
    spins_[t] = Spin{};
  trace_.push_back(Step{t, nth, node});
  last_[t] = step;
}

std::uint32_t DfsPicker::spin_turn(unsigned t) const {
  const Event& e = pending_[t];
  if (e.kind != detail::Access::read || e.object == nullptr) return 0;
  const std::uintptr_t key = granule(e.object);
  const Spin& s = spins_[t];
  if (s.key != key || s.turns == 0) return 1;
  const auto it = granules_.find(key);
  const bool written = it != granules_.end() && it->second.write.step > s.at;
  return written ? 1 : s.turns + 1;
}

bool DfsPicker::absorbed(unsigned t) const {
  return pending_[t].kind == detail::Access::yield && spins_[t].turns >= 2;
}

std::int64_t DfsPicker::stands_for_last(unsigned t) const {
  return spins_[t].turns >= 3 ? spins_[t].second : last_[t];
}

bool DfsPicker::before(std::int64_t step, unsigned t) const {
  const Step& s = trace_[static_cast<std::size_t>(step)];
  if (s.thread == t) return true;
  const Clock& c = clocks_[t];
  return s.thread < c.size() && c[s.thread] >= s.nth;
}

std::int64_t DfsPicker::race(unsigned t) const {
  const Event& e = pending_[t];
  std::int64_t latest = -1;
  const auto consider = [&](std::int64_t step) {
    if (step > latest && !before(step, t)) latest = step;
  };
  if (e.object == nullptr) {
    if (absorbed(t)) return -1;
    // Against a spin, the operation goes before its second turn at the
    // latest (the later turns are one, see dfs.hpp).
    for (unsigned q = 0; q < last_.size(); ++q)
      if (q != t && last_[q] >= 0) consider(stands_for_last(q));
    return latest;
  }
  // A read after two or more turns of a spin on its granule: what it races
  // with came after them, and reading before it is one more turn.
  const bool spun =
      spins_[t].turns >= 2 && e.kind == detail::Access::read && spins_[t].key == granule(e.object);
  for (const auto [key, write] : granules_of(e)) {
    const auto it = key == kNoGranule ? granules_.end() : granules_.find(key);
    if (it == granules_.end()) continue;
    if (!spun) consider(it->second.write.step);
    if (write)
      for (const Seen& r : it->second.reads) consider(r.step);
  }
  for (unsigned q = 0; q < objectless_.size(); ++q)
    if (q != t && !spun) consider(objectless_[q].step);
  return latest;
}

void DfsPicker::add_races() {
  if (!dpor()) return;
  for (unsigned t = 0; t < pending_.size() && t < started_.size(); ++t) {
    if (!started_[t] || recorded_[t]) continue;
    const std::int64_t step = race(t);
    if (step >= 0) add_backtrack(trace_[static_cast<std::size_t>(step)].node, t);
  }
}

// At the choice before the racing operation ran, t runs first if it could
// run there; if it could not, every thread that could is tried (as FG05).
void DfsPicker::add_backtrack(std::int64_t at, unsigned t) {
  if (at < 0) return;  // one thread could run: no other order starts there
  Node& n = stack_[static_cast<std::size_t>(at)];
  const auto add = [&n](unsigned u) {
    if (!contains(n.options, u) && !contains(n.asleep, u)) n.options.push_back(u);
  };
  if (contains(n.eligible, t)) {
    add(t);
    return;
  }
  for (const unsigned u : n.eligible) add(u);
}

void DfsPicker::demote(Rng&, unsigned t) {
  if (t < yielded_.size()) yielded_[t] = true;
}

// A thread's start is no operation under DPOR: it wakes no sleeper. A
// sleeper that has not started is woken by any operation: its first
// operation is not known yet, and may conflict with it. (A bounded search
// keeps a start conflicting with all, as a bare point.)
void DfsPicker::wake_conflicting(unsigned by) {
  if (!started_[by] && bound_ < 0) return;
  const Event executed = started_[by] ? pending_[by] : Event{};
  std::erase_if(sleeping_,
                [&](unsigned u) { return !started_[u] || conflict(pending_[u], executed); });
}

std::vector<unsigned> DfsPicker::options_at(std::span<const unsigned> enabled, unsigned running,
                                            bool can_go_on) const {
  const bool yielding = can_go_on && yielded(running);
  // A new choice's options: one allocation per choice the search has not
  // been at (a replayed prefix allocates nothing), the price of a search
  // tree of unknown shape.
  std::vector<unsigned> out;
  // The thread that had the turn first (fewest preemptions first, as CHESS
  // orders its search), unless it yields: then every other thread first,
  // and it not at all.
  if (can_go_on && !yielding && !contains(sleeping_, running)) out.push_back(running);
  const bool may_preempt = bound_ < 0 || preemptions_ < bound_;
  for (const unsigned t : enabled) {
    if (t == running || contains(sleeping_, t)) continue;
    if (can_go_on && !yielding && !may_preempt) continue;  // a preemption past the bound
    out.push_back(t);
  }
  return out;
}

// The thread that had the turn, unless it yields (a spin loop that kept the
// turn would never end), then the next one after it.
unsigned DfsPicker::without_branching(std::span<const unsigned> enabled, unsigned running,
                                      bool can_go_on) const {
  if (can_go_on && !yielded(running)) return running;
  unsigned next = enabled.front();
  for (const unsigned t : enabled)
    if (t != running) {
      next = t;
      if (t > running) break;
    }
  return next;
}

unsigned DfsPicker::pick(Rng&, std::span<const unsigned> enabled, unsigned running,
                         std::span<const Event> events) {
  for (const unsigned t : enabled) {
    grow(t);
    pending_[t] = events[t];
  }
  add_races();
  const bool can_go_on = std::find(enabled.begin(), enabled.end(), running) != enabled.end();
  const bool fresh = running < fresh_.size() && fresh_[running];
  if (fresh) fresh_[running] = false;
  if (fresh && can_go_on) {
    // DPOR: a thread that just started runs its first operation as part of
    // its start, which was the choice (its races go back there): a start
    // alone would be a choice that changes nothing, whose branches DPOR
    // would run twice.
    wake_conflicting(running);
    return running;
  }
  if (depth_ == stack_.size()) {
    Node node;
    if (!redundant_) node.options = options_at(enabled, running, can_go_on);
    if (dpor() && !node.options.empty()) {
      // DPOR: the first option only; races add the others.
      node.options.resize(1);
      const bool yielding = can_go_on && yielded(running);
      for (const unsigned t : enabled)
        if (!(yielding && t == running)) node.eligible.push_back(t);
      for (const unsigned t : node.eligible)
        if (contains(sleeping_, t)) node.asleep.push_back(t);
    }
    if (node.options.empty()) {
      // Every enabled thread sleeps (or the trial is already redundant):
      // finish it along one path, without branching.
      redundant_ = true;
      node.options = {without_branching(enabled, running, can_go_on)};
    }
    stack_.push_back(std::move(node));
  }
  Node& node = stack_[depth_++];
  unsigned chosen = node.store ? enabled.front() : node.options[node.taken];
  if (node.store || std::find(enabled.begin(), enabled.end(), chosen) == enabled.end()) {
    diverged_ = true;
    chosen = enabled.front();
  }
  // The branches tried before this one at this choice sleep in it.
  for (std::size_t k = 0; k < node.taken; ++k)
    if (!contains(sleeping_, node.options[k])) sleeping_.push_back(node.options[k]);
  wake_conflicting(chosen);
  chosen_at_[chosen] = static_cast<std::int64_t>(depth_) - 1;
  if (can_go_on && chosen != running && !yielded(running)) ++preemptions_;
  if (running < yielded_.size()) yielded_[running] = false;
  return chosen;
}

unsigned DfsPicker::read_from(unsigned n, bool repeat) {
  if (repeat) return 0;
  if (depth_ == stack_.size()) {
    Node node;
    node.store = true;
    // A redundant trial finishes without branching (see pick()).
    for (unsigned k = 0; k < (redundant_ ? 1u : n); ++k) node.options.push_back(k);
    stack_.push_back(std::move(node));
  }
  const Node& node = stack_[depth_++];
  if (!node.store || node.options.size() != (redundant_ ? 1u : n)) {
    diverged_ = true;
    return 0;
  }
  return node.options[node.taken];
}

void DfsPicker::end_trial() {
  if (held_) {
    depth_ = 0;
    return;
  }
  add_races();  // the operations left pending (blocked, or cut short)
  if (!redundant_) ++interleavings_;
  // The deepest choice with an alternative left; the trial after takes it.
  stack_.resize(std::min(stack_.size(), depth_));
  while (!stack_.empty() && stack_.back().taken + 1 >= stack_.back().options.size())
    stack_.pop_back();
  if (stack_.empty())
    exhausted_ = true;
  else
    ++stack_.back().taken;
}

}  // namespace strain::sched
