#include "sched/picker.hpp"

#include <algorithm>
#include <limits>

namespace strain::sched {

namespace {

// A random walk: every runnable thread is equally likely at every choice.
class RandomWalk final : public Picker {
 public:
  void begin_trial(Rng&, unsigned, std::uint64_t) override {}
  void add_thread(Rng&, unsigned) override {}
  void announce(Rng&, unsigned, const Event&) override {}
  void demote(Rng&, unsigned) override {}
  unsigned pick(Rng& rng, std::span<const unsigned> enabled, unsigned,
                std::span<const Event>) override {
    return enabled[static_cast<std::size_t>(rng.uniform(0, std::int64_t(enabled.size()) - 1))];
  }
};

// PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010). Threads
// get distinct random priorities d .. d+n-1 and the highest runnable one
// always runs; at d-1 change points, drawn uniformly among the k steps, the
// thread about to run drops to priority d-j (below every initial one). A
// step is a choice between two or more runnable threads, as the paper's
// implementation counts them. A yield drops the thread below everything, so
// a spin loop gives way instead of running forever.
class Pct final : public Picker {
 public:
  explicit Pct(std::int64_t depth) : depth_(std::max<std::int64_t>(depth, 1)) {}

  void begin_trial(Rng& rng, unsigned threads, std::uint64_t steps) override {
    prio_.resize(threads);
    for (unsigned t = 0; t < threads; ++t) prio_[t] = depth_ + t;
    // Fisher-Yates over the initial priorities.
    for (unsigned t = threads; t > 1; --t)
      std::swap(prio_[t - 1], prio_[static_cast<unsigned>(rng.uniform(0, t - 1))]);
    change_.clear();
    for (std::int64_t j = 1; j < depth_ && steps > 0; ++j)
      change_.push_back(static_cast<std::uint64_t>(rng.uniform(1, std::int64_t(steps))));
    step_ = 0;
    lowest_ = 0;
  }
  // A started thread gets a priority among the initial ones, as PCT gives
  // every thread at its creation: a random rank, so it may run before or
  // after its parent and its siblings.
  void add_thread(Rng& rng, unsigned t) override {
    if (prio_.size() <= t) prio_.resize(t + 1);
    prio_[t] = depth_ + rng.uniform(0, std::int64_t(t));
  }
  void announce(Rng&, unsigned, const Event&) override {}
  void demote(Rng&, unsigned t) override { prio_[t] = --lowest_; }
  unsigned pick(Rng&, std::span<const unsigned> enabled, unsigned,
                std::span<const Event>) override {
    ++step_;
    unsigned best = highest(enabled);
    for (std::size_t j = 0; j < change_.size(); ++j) {
      if (change_[j] != step_) continue;
      prio_[best] = depth_ - 1 - static_cast<std::int64_t>(j);
      best = highest(enabled);
    }
    return best;
  }

 private:
  unsigned highest(std::span<const unsigned> enabled) const {
    unsigned best = enabled[0];
    for (unsigned t : enabled)
      if (prio_[t] > prio_[best]) best = t;
    return best;
  }

  std::int64_t depth_;
  std::vector<std::int64_t> prio_;
  std::vector<std::uint64_t> change_;
  std::uint64_t step_ = 0;
  std::int64_t lowest_ = 0;
};

// POS, partial order sampling (Yuan, Yang, Gu, CAV 2018): every pending
// operation carries a random priority and the highest runs. When it runs,
// the pending operations of other threads that conflict with it (the same
// object, at least one of them writing) draw new priorities, so that each
// order of two racing operations is about as likely, however long the
// threads are. Points without an object conflict with nothing.
class Pos final : public Picker {
 public:
  void begin_trial(Rng& rng, unsigned threads, std::uint64_t) override {
    prio_.resize(threads);
    for (auto& p : prio_) p = rng.real();
  }
  void add_thread(Rng& rng, unsigned t) override {
    if (prio_.size() <= t) prio_.resize(t + 1);
    prio_[t] = rng.real();
  }
  void announce(Rng& rng, unsigned t, const Event&) override { prio_[t] = rng.real(); }
  void demote(Rng& rng, unsigned t) override { prio_[t] = rng.real() - 1.0; }
  unsigned pick(Rng& rng, std::span<const unsigned> enabled, unsigned,
                std::span<const Event> events) override {
    unsigned best = enabled[0];
    for (unsigned t : enabled)
      if (prio_[t] > prio_[best]) best = t;
    const Event& e = events[best];
    for (unsigned t : enabled)
      if (t != best && conflict(events[t], e)) prio_[t] = rng.real();
    return best;
  }

 private:
  static bool conflict(const Event& a, const Event& b) {
    return a.object != nullptr && a.object == b.object && (writes(a.kind) || writes(b.kind));
  }

  std::vector<double> prio_;
};

}  // namespace

std::unique_ptr<Picker> make_picker(model::Pick pick, std::int64_t depth) {
  switch (pick) {
    case model::Pick::random:
      return std::make_unique<RandomWalk>();
    case model::Pick::pos:
      return std::make_unique<Pos>();
    case model::Pick::pct:
      break;
    case model::Pick::portfolio:
      break;  // the controller makes its members
    case model::Pick::dfs:
      break;  // the controller makes its DfsPicker
  }
  return std::make_unique<Pct>(depth);
}

}  // namespace strain::sched
