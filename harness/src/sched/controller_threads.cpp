// The threads the code under test starts during a controlled trial
// (pthread_create, std::thread, std::async): their slots, start, end, join
// and detach; the threads left running when the roles end; the shared-access
// table behind plain_accesses: shared; and the terminate guard that parks a
// deadlocked thread which cannot unwind. The team's own threads are in
// controller.cpp, the turn hand-offs in controller_turn.cpp.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <exception>

#include "core/tsan_ignore.hpp"
#include "sched/controller.hpp"

namespace strain::sched {

using detail::Access;
using detail::WaitResult;

unsigned Controller::spawn(unsigned parent) {
  if (aborted_.load(std::memory_order_acquire) || live_ == cap_) return kNoSlot;
  TsanIgnore ignore;
  SteerPause pause;
  const unsigned t = live_++;
  Slot& s = slots_[t];
  s.state = State::runnable;
  s.root = slots_[parent].root;
  s.parent = parent;
  s.detached = false;
  steers_[t].owner = steers_[s.root].owner;
  steers_[t].thread = 0;
  keys_[t].clear();  // a new thread has no value (an aborted one's are dropped)
  // Named by its line: the n-th thread started in the trial, under the role
  // whose code started it (directly or through threads it started).
  names_[t] = fmt::format("{}/thread{}", names_[s.root], t - n_ + 1);
  events_[t] = Event{};
  picker_->add_thread(rng_, t);
  // Starting a thread orders everything its parent did before it.
  if (model_) {
    model_->sync(parent, &slots_[t]);
    model_->sync(t, &slots_[t]);
  }
  spawned_running_.fetch_add(1, std::memory_order_relaxed);
  note(parent, "thread.create");
  return t;
}

void Controller::spawned_start(unsigned t) {
  TsanIgnore ignore;
  {
    SteerPause pause;
    await_turn(t);
  }
  steers_[t].shadow = &tls_shadow;
  tls_steer = &steers_[t];
  if (!aborted_.load(std::memory_order_acquire)) note(t, "thread.start");
}

void Controller::spawned_end(unsigned t) {
  tls_steer = nullptr;
  __atomic_store_n(&steers_[t].shadow, nullptr, __ATOMIC_RELAXED);  // it goes with the thread
  if (aborted_.load(std::memory_order_acquire)) return;
  TsanIgnore ignore;
  note(t, "thread.end");
  slots_[t].state = State::finished;
  // Its last operation ran: the search records it here, in the order it
  // ran, as a role's end does. Left to the trial's end, it came after its
  // joiner's wake-up in the trace, raced with that alone, and the race with
  // what it really reordered (a write before the joiner's wait on it) was
  // never tried: controlled/dfs called a search of one interleaving
  // complete while another failed (tests/plugins/io_waits.cpp, early).
  picker_->performed(t);
  if (model_) model_->sync(t, &slots_[t]);  // for its joiner
  wake(t, &slots_[t], true);
  if (awaiting_spawned_) {
    bool all = true;
    for (unsigned u = n_; u < live_ && all; ++u) all = slots_[u].state == State::finished;
    if (all) wake(t, &team_done_, true);
  }
  schedule(t);
}

void Controller::spawned_exited() {
  if (spawned_running_.fetch_sub(1, std::memory_order_acq_rel) == 1) spawned_running_.notify_all();
}

bool Controller::shared_access(unsigned t, const void* addr) {
  const std::uintptr_t key =
      (reinterpret_cast<std::uintptr_t>(addr) >> 3) | (std::uintptr_t{1} << 63);
  std::size_t h = static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ULL) >> 48);
  // Eight probes, then the granule counts as shared: a full neighbourhood
  // costs extra points, never a missed one.
  for (int probe = 0; probe < 8; ++probe, h = (h + 1) & (kGranules - 1)) {
    Granule& g = granules_[h];
    if (g.epoch != epoch_) {
      g.addr = key;
      g.epoch = epoch_;
      g.owner = t;
      return false;
    }
    if (g.addr != key) continue;
    if (g.owner == t) return false;
    g.owner = kShared;
    return true;
  }
  return true;
}

std::vector<std::pair<std::string, unsigned long>> Controller::running_spawned() const {
  std::vector<std::pair<std::string, unsigned long>> out;
  if (fibers_ != nullptr) return out;  // fibers on the roles' thread, not threads
  const unsigned live = std::min(live_, cap_);
  for (unsigned u = n_; u < live; ++u)
    if (slots_[u].state != State::finished && steers_[u].thread != 0)
      out.emplace_back(names_[u], steers_[u].thread);
  return out;
}

namespace {
std::terminate_handler g_previous_terminate = nullptr;

// std::terminate on a thread of a deadlocked trial is the unwinding from
// ScheduleAborted meeting a joinable std::thread's destructor or a noexcept
// frame: the deadlock is the finding, not this. The thread parks instead.
[[noreturn]] void steered_terminate() {
  if (Steer* s = tls_steer; s != nullptr && s->controller->deadlocked())
    s->controller->park_forever();
  if (g_previous_terminate != nullptr) g_previous_terminate();
  std::abort();
}
}  // namespace

void Controller::guard_terminate() {
  static const bool installed = [] {
    g_previous_terminate = std::set_terminate(&steered_terminate);
    return true;
  }();
  (void)installed;
}

void Controller::park_forever() {
  tls_steer = nullptr;
  parked_.fetch_add(1, std::memory_order_acq_rel);
  for (;;) ::pause();
}

void Controller::spawn_failed(unsigned t) {
  TsanIgnore ignore;
  slots_[t].state = State::finished;
  spawned_exited();
}

unsigned Controller::find_thread(unsigned long thread) const {
  // Newest first: a pthread_t may be reused once its thread was joined.
  for (unsigned u = live_; u-- > n_;)
    if (steers_[u].thread == thread) return u;
  return kNoSlot;
}

void Controller::wait_spawned_exit() {
  SteerPause pause;
  for (unsigned left = spawned_running_.load(std::memory_order_acquire); left != 0;
       left = spawned_running_.load(std::memory_order_acquire))
    spawned_running_.wait(left, std::memory_order_acquire);
}

int Controller::join(unsigned t, unsigned target, JoinWait how) {
  const char* label = how == JoinWait::until_ended ? "pthread_join"
                      : how == JoinWait::no_wait   ? "pthread_tryjoin_np"
                                                   : "pthread_timedjoin_np";
  point(t, label, &slots_[target], Access::sync);
  SteerPause pause;
  while (slots_[target].state != State::finished) {
    if (how == JoinWait::no_wait) return EBUSY;
    switch (block(t, &slots_[target], label, how == JoinWait::timed)) {
      case WaitResult::woken:
        continue;
      case WaitResult::timed_out:
        return slots_[target].state == State::finished ? 0 : ETIMEDOUT;
      case WaitResult::aborted:
        return -1;
    }
  }
  if (model_) model_->sync(t, &slots_[target]);
  return aborted_.load(std::memory_order_acquire) ? -1 : 0;
}

void Controller::detach(unsigned target) {
  if (target < live_) slots_[target].detached = true;
}

}  // namespace strain::sched
