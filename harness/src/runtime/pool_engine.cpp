// The caller's side of the process pool's engine (runtime/pool_engine.hpp):
// making the shared region, submitting tasks, waiting for and collecting
// their results.

#include "runtime/pool_engine.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <thread>

namespace strain::detail {

PoolCore::Engine::Engine(const PoolOptions& options, std::size_t arg_size, std::size_t arg_align,
                         std::size_t result_size, std::size_t result_align, RunFn run,
                         const void* self) {
  workers_ = options.workers != 0 ? options.workers : std::thread::hardware_concurrency();
  if (workers_ == 0) workers_ = 1;
  if (options.max_pending == 0 || options.max_pending > 1'000'000)
    throw std::invalid_argument("PoolOptions::max_pending must be in [1, 1000000]");
  capacity_ = static_cast<std::uint32_t>(options.max_pending);
  run_ = run;
  self_ = self;
  arg_size_ = arg_size;
  result_size_ = result_size;
  layout(arg_align, result_align);
  void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "ProcessPool: mmap");
  base_ = static_cast<std::byte*>(p);
  // The control block and the slots are the only objects in the region;
  // the ring, worker records and argument/result bytes are plain data.
  try {
    ctl_ = ::new (base_) Control();
  } catch (...) {
    ::munmap(base_, bytes_);
    throw;
  }
  ctl_->free_slots = capacity_;
  for (std::uint32_t s = 0; s < capacity_; ++s) ::new (slot(s)) Slot();
  for (unsigned w = 0; w < workers_; ++w) ::new (worker(w)) Worker();
  owner_ = ::getpid();
  start_workers();
}

PoolCore::Engine::~Engine() {
  if (base_ == nullptr) return;
  if (::getpid() == owner_) stop_workers();
  // No destructors for the region's objects: a worker killed inside the
  // short critical section may have left the robust mutex owned, and
  // destroying an owned mutex is undefined. Unmapping is enough; a
  // process-shared glibc mutex or condvar owns nothing else.
  ::munmap(base_, bytes_);
}

std::vector<pid_t> PoolCore::Engine::pids() const {
  std::vector<pid_t> out;
  for (unsigned w = 0; w < workers_; ++w) out.push_back(worker(w)->pid);
  return out;
}

PoolCore::Handle PoolCore::Engine::submit(const void* arg) {
  check_owner();
  Locked lock(*this);
  reap_locked();
  if (ctl_->broken) throw BrokenPool(ctl_->why);
  if (ctl_->free_slots == 0)
    throw std::length_error("ProcessPool: " + std::to_string(capacity_) +
                            " futures are outstanding (PoolOptions::max_pending); collect or "
                            "drop some before submitting more");
  std::uint32_t s = ctl_->next_free;
  while (slot(s)->state != State::free) s = (s + 1) % capacity_;
  ctl_->next_free = (s + 1) % capacity_;
  --ctl_->free_slots;
  Slot& sl = *slot(s);
  sl.state = State::queued;
  sl.abandoned = false;
  sl.ticket = ++ctl_->tickets;
  sl.message[0] = '\0';
  std::memcpy(arg_of(s), arg, arg_size_);
  ring()[(ctl_->head + ctl_->queued) % capacity_] = s;
  ++ctl_->queued;
  raw_signal(ctl_->work);
  return {s, sl.ticket};
}

bool PoolCore::Engine::ready(Handle h) {
  check_owner();
  Locked lock(*this);
  reap_locked();
  return finished(own(h));
}

bool PoolCore::Engine::wait(Handle h, const timespec* deadline) {
  check_owner();
  Locked lock(*this);
  for (;;) {
    reap_locked();
    if (finished(own(h))) return true;
    if (!wait_slice(deadline)) return finished(own(h));
  }
}

void PoolCore::Engine::take(Handle h, void* out) {
  check_owner();
  Locked lock(*this);
  for (;;) {
    reap_locked();
    if (finished(own(h))) break;
    (void)wait_slice(nullptr);
  }
  Slot& sl = *slot(h.slot);
  const State state = sl.state;
  const std::string message = sl.message;
  if (state == State::done) std::memcpy(out, result_of(h.slot), result_size_);
  release(h.slot);
  if (state == State::raised) throw TaskError(message);
  if (state == State::lost) throw BrokenPool(message);
}

void PoolCore::Engine::drop(Handle h) noexcept {
  if (::getpid() != owner_) return;
  try {
    Locked lock(*this);
    Slot& sl = *slot(h.slot);
    if (sl.ticket != h.ticket) return;
    if (finished(sl))
      release(h.slot);
    else
      sl.abandoned = true;
  } catch (...) {
    // Only a dead lock owner can make locking throw; the destructor
    // reclaims everything anyway.
  }
}

std::size_t PoolCore::Engine::wait_first(std::span<const Handle> handles,
                                         std::span<const std::uint8_t> taken) {
  check_owner();
  Locked lock(*this);
  for (;;) {
    reap_locked();
    std::size_t best = handles.size();
    std::uint64_t best_order = 0;
    for (std::size_t k = 0; k < handles.size(); ++k) {
      if (taken[k] != 0) continue;
      const Slot& sl = own(handles[k]);
      if (!finished(sl)) continue;
      if (best == handles.size() || sl.order < best_order) {
        best = k;
        best_order = sl.order;
      }
    }
    if (best != handles.size()) return best;
    (void)wait_slice(nullptr);
  }
}

void PoolCore::Engine::layout(std::size_t arg_align, std::size_t result_align) {
  std::size_t at = align_up(sizeof(Control), alignof(std::uint32_t));
  ring_at_ = at;
  at += sizeof(std::uint32_t) * capacity_;
  at = align_up(at, alignof(Worker));
  workers_at_ = at;
  at += sizeof(Worker) * workers_;
  const std::size_t a = std::max({alignof(Slot), arg_align, result_align, std::size_t{64}});
  at = align_up(at, a);
  slots_at_ = at;
  arg_at_ = align_up(sizeof(Slot), arg_align);
  result_at_ = align_up(arg_at_ + arg_size_, result_align);
  stride_ = align_up(result_at_ + result_size_, a);
  bytes_ = slots_at_ + stride_ * capacity_;
}

bool PoolCore::Engine::wait_slice(const timespec* deadline) {
  timespec until = deadline_after_seconds(0.010);
  if (deadline != nullptr) {
    timespec now;
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > deadline->tv_sec ||
        (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec))
      return false;
    if (deadline->tv_sec < until.tv_sec ||
        (deadline->tv_sec == until.tv_sec && deadline->tv_nsec < until.tv_nsec))
      until = *deadline;
  }
  (void)raw_wait_until(ctl_->done, ctl_->m, until);
  return true;
}

}  // namespace strain::detail
