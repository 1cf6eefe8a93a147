#include "sched/memory_model.hpp"

#include <algorithm>
#include <atomic>

#include "runtime/abi_types.hpp"
#include "strain/context.hpp"

namespace strain::sched {

namespace {

bool acquires(int order) {
  const auto o = static_cast<std::memory_order>(order & ~detail::kLoadNewest);
  return o == std::memory_order_consume || o == std::memory_order_acquire ||
         o == std::memory_order_acq_rel || o == std::memory_order_seq_cst;
}

bool releases(int order) {
  const auto o = static_cast<std::memory_order>(order & ~detail::kLoadNewest);
  return o == std::memory_order_release || o == std::memory_order_acq_rel ||
         o == std::memory_order_seq_cst;
}

void max_into(std::vector<std::uint64_t>& into, const std::vector<std::uint64_t>& from) {
  if (into.size() < from.size()) into.resize(from.size(), 0);
  for (std::size_t k = 0; k < from.size(); ++k) into[k] = std::max(into[k], from[k]);
}

}  // namespace

void MemoryModel::View::join(const View& other) {
  max_into(clock, other.clock);
  max_into(floor, other.floor);
}

MemoryModel::MemoryModel(unsigned threads)
    : threads_(threads), thread_view_(threads), last_load_(threads) {}

void MemoryModel::begin_trial() {
  index_.clear();
  locations_.clear();
  for (auto& v : thread_view_) {
    v.clock.assign(threads_, 0);
    v.floor.clear();
  }
  last_load_.assign(threads_, LastLoad{});
  objects_.clear();
  global_.clock.assign(threads_, 0);
  global_.floor.clear();
  views_used_ = 0;
  stale_reads_ = 0;
}

std::uint32_t MemoryModel::location(const void* object, std::uint64_t current) {
  const auto [it, fresh] =
      index_.try_emplace(object, static_cast<std::uint32_t>(locations_.size()));
  if (fresh) locations_.emplace_back();
  Location& loc = locations_[it->second];
  // The first access of the trial, or a store the model did not see (made
  // by a thread outside the roles): the value there is seen by everyone.
  if (loc.history.empty() || loc.history.back().value != current) push(loc, Store{current});
  return it->second;
}

void MemoryModel::push(Location& loc, Store s) {
  s.seq = loc.next_seq++;
  if (loc.history.size() == kHistory) loc.history.erase(loc.history.begin());
  loc.history.push_back(s);
}

int MemoryModel::snapshot(const View& v) {
  if (views_used_ == views_.size()) views_.emplace_back();
  View& into = views_[views_used_];
  into.clock = v.clock;
  into.floor = v.floor;
  return static_cast<int>(views_used_++);
}

bool MemoryModel::visible(unsigned t, const Store& s) const {
  return s.writer == kNoWriter || thread_view_[t].clock[s.writer] >= s.clock;
}

std::uint64_t MemoryModel::load(unsigned t, const void* object, std::uint64_t newest, int order,
                                const Chooser& choose) {
  const std::uint32_t id = location(object, newest);
  Location& loc = locations_[id];
  View& me = thread_view_[t];
  if (me.floor.size() <= id) me.floor.resize(id + 1, 0);
  // Candidates, newest first: stop at the coherence floor, and after the
  // newest store that happens before this load (older ones are hidden).
  std::size_t first = loc.history.size() - 1;
  const bool newest_only = (order & detail::kLoadNewest) != 0 ||
                           static_cast<std::memory_order>(order) == std::memory_order_seq_cst;
  if (!newest_only) {
    while (first > 0) {
      const Store& s = loc.history[first];
      if (s.seq <= me.floor[id] || visible(t, s)) break;
      if (loc.history[first - 1].seq < me.floor[id]) break;
      --first;
    }
  }
  const bool repeat = last_load_[t].id == id && last_load_[t].next_seq == loc.next_seq;
  last_load_[t] = LastLoad{id, loc.next_seq};
  std::size_t chosen = loc.history.size() - 1;
  const auto n = static_cast<unsigned>(loc.history.size() - first);
  if (n > 1) chosen = loc.history.size() - 1 - choose(n, repeat);
  const Store& s = loc.history[chosen];
  if (chosen + 1 != loc.history.size()) ++stale_reads_;
  me.floor[id] = std::max(me.floor[id], s.seq);
  if (acquires(order) && s.view >= 0) me.join(views_[static_cast<std::size_t>(s.view)]);
  return s.value;
}

void MemoryModel::store(unsigned t, const void* object, std::uint64_t before, std::uint64_t after,
                        int order, bool update) {
  const std::uint32_t id = location(object, before);
  Location& loc = locations_[id];
  View& me = thread_view_[t];
  if (me.floor.size() <= id) me.floor.resize(id + 1, 0);
  last_load_[t] = LastLoad{};
  const Store& prev = loc.history.back();
  const int prev_view = prev.view;
  // A read-modify-write reads the newest store, with acquire if asked.
  if (update && acquires(order) && prev_view >= 0)
    me.join(views_[static_cast<std::size_t>(prev_view)]);
  me.clock[t] += 1;
  Store s{after};
  s.writer = t;
  s.clock = me.clock[t];
  me.floor[id] = loc.next_seq;  // the sequence number push() gives s
  if (releases(order)) {
    s.view = snapshot(me);
    // A release read-modify-write also continues the sequence it read.
    if (update && prev_view >= 0)
      views_[static_cast<std::size_t>(s.view)].join(views_[static_cast<std::size_t>(prev_view)]);
  } else if (update) {
    s.view = prev_view;  // a relaxed read-modify-write continues the release sequence
  }
  push(loc, s);
}

void MemoryModel::sync(unsigned t, const void* object) {
  View& me = thread_view_[t];
  last_load_[t] = LastLoad{};
  if (object != nullptr) {
    View& v = objects_.try_emplace(object, global_).first->second;
    me.join(v);
    v = me;
    return;
  }
  // A wait: with every object. The thread's view then holds all of theirs,
  // so each becomes it.
  me.join(global_);
  for (const auto& [o, v] : objects_) me.join(v);
  for (auto& [o, v] : objects_) v = me;
  global_ = me;
}

}  // namespace strain::sched
