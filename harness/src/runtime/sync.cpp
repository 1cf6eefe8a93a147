// The out-of-line bodies of Mutex, CondVar (strain/sync/mutex.hpp),
// Semaphore and Barrier (strain/sync/semaphore.hpp), and Atomic's schedule
// point and calls into the weak memory model (strain/sync/atomic.hpp). Each
// primitive is a schedule point (detail::sync_point, inline) around a
// raw_sync.hpp call, which enters pthreads anyway. The points are reached only
// once a strategy with points ran in the process (detail::points_enabled,
// inline), behind an indirect call already; the model only under
// `controlled`. Atomic's fast paths stay inline.

#include <stdexcept>
#include <thread>

#include "runtime/abi_types.hpp"
#include "runtime/raw_sync.hpp"
#include "strain/sync/atomic.hpp"
#include "strain/sync/mutex.hpp"
#include "strain/sync/semaphore.hpp"

namespace strain {

void Mutex::lock() {
  detail::sync_point("mutex.lock", this);
  detail::raw_lock(m_, "mutex.lock");
}

bool Mutex::try_lock() {
  detail::sync_point("mutex.try_lock", this);
  return detail::raw_try_lock(m_);
}

// The point before the release, as every primitive's: the operation a
// point announces is what runs after it (controlled/dfs relies on it).
void Mutex::unlock() {
  detail::sync_point("mutex.unlock", this);
  detail::raw_unlock(m_);
}

void CondVar::wait(std::unique_lock<Mutex>& lock) {
  detail::sync_point("condvar.wait", this, detail::Access::wait);
  detail::raw_wait(c_, lock.mutex()->m_);
}

std::cv_status CondVar::wait_for(std::unique_lock<Mutex>& lock, std::chrono::duration<double> rel) {
  return wait_until(lock, detail::deadline_after_seconds(rel.count())) ? std::cv_status::no_timeout
                                                                       : std::cv_status::timeout;
}

bool CondVar::wait_until(std::unique_lock<Mutex>& lock, const timespec& deadline) {
  detail::sync_point("condvar.wait", this, detail::Access::wait);
  return detail::raw_wait_until(c_, lock.mutex()->m_, deadline);
}

void CondVar::notify_one() noexcept {
  detail::sync_point("condvar.notify_one", this);
  detail::raw_signal(c_);
}

void CondVar::notify_all() noexcept {
  detail::sync_point("condvar.notify_all", this);
  detail::raw_broadcast(c_);
}

Semaphore::Semaphore(std::ptrdiff_t initial) : count_(initial) {
  if (initial < 0) throw std::invalid_argument("Semaphore: negative initial count");
}

void Semaphore::acquire() {
  detail::sync_point("semaphore.acquire", this);
  detail::RawLock lock(m_);
  while (count_ == 0) detail::raw_wait(cv_, m_, "semaphore.acquire");
  --count_;
}

bool Semaphore::try_acquire() {
  detail::sync_point("semaphore.try_acquire", this);
  detail::RawLock lock(m_);
  if (count_ == 0) return false;
  --count_;
  return true;
}

// One step under the lock, where sem_post would take n.
void Semaphore::release(std::ptrdiff_t n) {
  detail::sync_point("semaphore.release", this);
  if (n < 0) throw std::invalid_argument("Semaphore::release: negative count");
  detail::RawLock lock(m_);
  count_ += n;
  if (n == 1) {
    detail::raw_signal(cv_);
  } else if (n > 1) {
    detail::raw_broadcast(cv_);
  }
}

Barrier::Barrier(std::uint32_t parties) : parties_(parties) {
  if (parties == 0) throw std::invalid_argument("Barrier: needs at least one party");
}

void Barrier::arrive_and_wait() {
  detail::sync_point("barrier.arrive", this);
  detail::RawLock lock(m_);
  // The generation tells a woken party whether its own round completed; a
  // plain count would confuse it with the next round's arrivals.
  const std::uint64_t round = generation_;
  if (++arrived_ == parties_) {
    arrived_ = 0;
    ++generation_;
    detail::raw_broadcast(cv_);
    return;
  }
  while (round == generation_) detail::raw_wait(cv_, m_, "barrier.arrive");
}

}  // namespace strain

namespace strain {

void yield() noexcept {
  if (Context* c = detail::tls_context) return c->yield();
  std::this_thread::yield();
}

}  // namespace strain

namespace strain::detail {

bool scheduled_point(const void* object, const char* label, Access kind) noexcept {
  Context* c = tls_context;
  if (c == nullptr) return false;
  if (const PointFn fn = point_fn(*c)) fn(*c, label, object, kind);
  const SchedHooks* h = context_data(*c).hooks;
  // The model is on when both are set.
  return h != nullptr && h->load != nullptr && h->store != nullptr;
}

std::uint64_t model_load(const void* object, std::uint64_t value, int order, bool newest) noexcept {
  Context& c = *tls_context;  // scheduled_point() said the model is on for this thread
  return context_data(c).hooks->load(c, object, value, order | (newest ? kLoadNewest : 0));
}

void model_store(const void* object, std::uint64_t before, std::uint64_t after, int order,
                 bool update) noexcept {
  Context& c = *tls_context;
  context_data(c).hooks->store(c, object, before, after, order, update);
}

}  // namespace strain::detail
