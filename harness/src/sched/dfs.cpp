#include "sched/dfs.hpp"

#include <algorithm>
#include <cstdint>

namespace strain::sched {

namespace {

bool writes(detail::Access k) {
  return k == detail::Access::write || k == detail::Access::update || k == detail::Access::sync;
}

bool contains(const std::vector<unsigned>& v, unsigned t) {
  return std::find(v.begin(), v.end(), t) != v.end();
}

}  // namespace

DfsPicker::DfsPicker(std::int64_t preemption_bound) : bound_(preemption_bound) {}

bool DfsPicker::conflict(const Event& a, const Event& b) {
  if (a.object == nullptr || b.object == nullptr) return true;
  // Same 8-byte granule, not the same address: a 4-byte write into the
  // high half of an 8-byte word conflicts with a read of the word.
  const auto granule = [](const void* p) { return reinterpret_cast<std::uintptr_t>(p) >> 3; };
  return granule(a.object) == granule(b.object) && (writes(a.kind) || writes(b.kind));
}

void DfsPicker::begin_trial(Rng&, unsigned threads, std::uint64_t) {
  depth_ = 0;
  sleeping_.clear();
  pending_.assign(threads, Event{});
  yielded_.assign(threads, false);
  preemptions_ = 0;
  redundant_ = false;
}

void DfsPicker::add_thread(Rng&, unsigned t) { grow(t); }

void DfsPicker::grow(unsigned t) {
  if (pending_.size() <= t) {
    pending_.resize(t + 1);
    yielded_.resize(t + 1, false);
  }
}

void DfsPicker::announce(Rng&, unsigned t, const Event& e) {
  grow(t);
  // Thread t ran the operation it announced before (or was woken from it).
  wake_conflicting(pending_[t]);
  pending_[t] = e;
}

void DfsPicker::demote(Rng&, unsigned t) {
  if (t < yielded_.size()) yielded_[t] = true;
}

void DfsPicker::wake_conflicting(const Event& executed) {
  std::erase_if(sleeping_, [&](unsigned u) { return conflict(pending_[u], executed); });
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
  const bool can_go_on = std::find(enabled.begin(), enabled.end(), running) != enabled.end();
  if (depth_ == stack_.size()) {
    Node node;
    if (!redundant_) node.options = options_at(enabled, running, can_go_on);
    if (node.options.empty()) {
      // Every enabled thread sleeps (or the trial is already redundant):
      // finish it along one path, without branching.
      redundant_ = true;
      node.options = {without_branching(enabled, running, can_go_on)};
    }
    stack_.push_back(std::move(node));
  }
  Node& node = stack_[depth_++];
  unsigned chosen = node.options[node.taken];
  if (std::find(enabled.begin(), enabled.end(), chosen) == enabled.end()) {
    diverged_ = true;
    chosen = enabled.front();
  }
  // The branches tried before this one at this choice sleep in it.
  for (std::size_t k = 0; k < node.taken; ++k)
    if (!contains(sleeping_, node.options[k])) sleeping_.push_back(node.options[k]);
  wake_conflicting(pending_[chosen]);
  if (can_go_on && chosen != running && !yielded(running)) ++preemptions_;
  if (running < yielded_.size()) yielded_[running] = false;
  return chosen;
}

void DfsPicker::end_trial() {
  if (held_) {
    depth_ = 0;
    return;
  }
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
