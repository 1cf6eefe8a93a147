#include "intercept/steered.hpp"

#include <cxxabi.h>
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <exception>
#include <string>

#include "intercept/real.hpp"
#include "runtime/abi_types.hpp"
#include "sched/controller.hpp"
#include "sched/role_fibers.hpp"
#include "sched/steer.hpp"
#include "strain/context.hpp"

namespace strain::intercept {

namespace {

using detail::Access;
using detail::WaitResult;
using sched::Controller;
using sched::Steer;

Steer& me() noexcept { return *sched::tls_steer; }

void point(const char* label, const void* object, Access kind = Access::sync) {
  Steer& s = me();
  s.controller->point(s.index, label, object, kind);
}

// Parks the thread on `object` until another thread changes it. True if the
// thread should try again, false if a timed wait timed out; throws if the
// trial was aborted.
bool park(const void* object, const char* label, bool timed) {
  Steer& s = me();
  switch (s.controller->block(s.index, object, label, timed)) {
    case WaitResult::woken:
      return true;
    case WaitResult::timed_out:
      return false;
    case WaitResult::aborted:
      break;
  }
  throw ScheduleAborted();
}

void wake(const void* object, bool all) {
  Steer& s = me();
  s.controller->wake(s.index, object, all);
}

// Records a failure of the code under test in the role it belongs to.
void fail(FailureKind kind, const std::string& what) {
  if (Context* c = me().owner) c->record(kind, what);
}

// The common shape of every blocking operation: a point, then try; while the
// try says "busy", park on the object until someone releases it.
template <class Try>
int acquire(const void* object, const char* label, bool timed, Try try_it) {
  point(label, object);
  for (;;) {
    const int rc = try_it();
    if (rc != EBUSY) return rc;
    if (!park(object, label, timed)) return ETIMEDOUT;
  }
}

// glibc's pthread_once_t states (nptl/pthread_once.c): 0 not run, bit 0 set
// while an initialiser runs, 2 done; the other bits count forks.
constexpr int kOnceInProgress = 1;
constexpr int kOnceDone = 2;

void* trampoline(void* p);

// Unlocks `m` and wakes its waiters, without a point.
int release(void* m) {
  const int rc = real().mutex_unlock(m);
  wake(m, true);
  return rc;
}

}  // namespace

bool mutex_is_shared(const void* m) noexcept {
  // glibc marks a process-shared mutex in its kind (PTHREAD_MUTEX_PSHARED_BIT
  // in nptl/pthreadP.h); the field is part of the installed header.
  return (static_cast<const pthread_mutex_t*>(m)->__data.__kind & 128) != 0;
}

bool cond_is_shared(const void* c) noexcept {
  // Bit 0 of __wrefs (nptl/pthread_cond_common.c).
  return (static_cast<const pthread_cond_t*>(c)->__data.__wrefs & 1) != 0;
}

namespace {

// A recursive mutex (std::recursive_mutex) taken by a fiber: glibc knows its
// owner by the thread id, which the fibers share, so the owner and depth are
// kept in sched/fiber_mutexes.hpp and glibc's mutex is taken once.
bool recursive_in_fiber(const void* m) noexcept {
  // PTHREAD_MUTEX_RECURSIVE_NP in the kind's low bits (PTHREAD_MUTEX_KIND_MASK_NP).
  return me().fiber && (static_cast<const pthread_mutex_t*>(m)->__data.__kind & 3) == 1;
}

sched::FiberMutexes& fiber_mutexes() noexcept {
  return me().controller->fibers()->recursive_mutexes();
}

// One try at `m` for the calling thread: 0, or EBUSY while another holds it.
int try_mutex(void* m) {
  if (!recursive_in_fiber(m)) return real().mutex_trylock(m);
  sched::FiberMutexes& held = fiber_mutexes();
  const unsigned self = me().index;
  if (sched::FiberMutexes::Held* h = held.find(m)) {
    if (h->owner != self) return EBUSY;
    ++h->depth;
    return 0;
  }
  // Held by nobody in the trial; a thread outside it may hold it still.
  const int rc = real().mutex_trylock(m);
  if (rc != 0 || held.add(m, self) != nullptr) return rc;
  (void)real().mutex_unlock(m);
  fail(FailureKind::error, "the fibers of a trial held more than " +
                               std::to_string(sched::FiberMutexes::kCapacity) +
                               " recursive mutexes at once; run without schedule.strategy.fibers");
  return EAGAIN;
}

// Undoes one lock of `m`: a fiber's recursive mutex is released by its last
// unlock only.
int unlock_mutex(void* m) {
  if (recursive_in_fiber(m)) {
    sched::FiberMutexes& held = fiber_mutexes();
    if (sched::FiberMutexes::Held* h = held.find(m)) {
      if (h->owner != me().index) return EPERM;  // as glibc says to a non-owner
      if (--h->depth > 0) return 0;
      held.remove(h);
    }
  }
  return release(m);
}

// A wait the scheduler aborted returns holding `m`, as it must, for the
// thread to unwind from there; no other thread of the trial runs again.
void relock_after_abort(void* m) {
  if (!recursive_in_fiber(m)) {
    (void)real().mutex_lock(m);
    return;
  }
  sched::FiberMutexes::Held* h = fiber_mutexes().find(m);
  if (h == nullptr && real().mutex_trylock(m) == 0) (void)fiber_mutexes().add(m, me().index);
  if (h != nullptr && h->owner == me().index) ++h->depth;
}

}  // namespace

int mutex_lock(void* m, bool timed) {
  return acquire(m, "pthread_mutex_lock", timed, [m] { return try_mutex(m); });
}

int mutex_trylock(void* m) {
  point("pthread_mutex_trylock", m);
  return try_mutex(m);
}

// A release is a point before it, as every operation on a shared object
// is: the operation a point announces is what runs after it, which
// controlled/dfs relies on to tell conflicting operations apart.
int mutex_unlock(void* m) {
  point("pthread_mutex_unlock", m);
  return unlock_mutex(m);
}

int cond_wait(void* c, void* m, bool timed) {
  point("pthread_cond_wait", c, Access::wait);
  // No other thread runs between the unlock and the park, so no
  // notification can fall between them.
  (void)unlock_mutex(m);
  bool woken = true;
  try {
    woken = park(c, "pthread_cond_wait", timed);
  } catch (const ScheduleAborted&) {
    // A deadlock: the wait returns holding the mutex, as it must, and the
    // thread unwinds from there (its lock guard unlocks).
    relock_after_abort(m);
    throw;
  }
  for (;;) {
    const int rc = try_mutex(m);
    if (rc != EBUSY) break;
    Steer& s = me();
    if (s.controller->block(s.index, m, "pthread_mutex_lock (after pthread_cond_wait)", false) ==
        WaitResult::aborted) {
      relock_after_abort(m);
      throw ScheduleAborted();
    }
  }
  return woken ? 0 : ETIMEDOUT;
}

int cond_signal(void* c, bool all) {
  point(all ? "pthread_cond_broadcast" : "pthread_cond_signal", c);
  wake(c, all);
  return 0;
}

int rwlock_lock(void* rw, RwMode mode, bool timed) {
  auto* p = static_cast<pthread_rwlock_t*>(rw);
  if (mode == RwMode::read)
    return acquire(rw, "pthread_rwlock_rdlock", timed, [p] { return real().rwlock_tryrdlock(p); });
  return acquire(rw, "pthread_rwlock_wrlock", timed, [p] { return real().rwlock_trywrlock(p); });
}

int rwlock_trylock(void* rw, RwMode mode) {
  point(mode == RwMode::read ? "pthread_rwlock_tryrdlock" : "pthread_rwlock_trywrlock", rw);
  return mode == RwMode::read ? real().rwlock_tryrdlock(rw) : real().rwlock_trywrlock(rw);
}

int rwlock_unlock(void* rw) {
  point("pthread_rwlock_unlock", rw);
  const int rc = real().rwlock_unlock(rw);
  wake(rw, true);
  return rc;
}

int spin_lock(void* s) {
  return acquire(s, "pthread_spin_lock", false, [s] { return real().spin_trylock(s); });
}

int spin_trylock(void* s) {
  point("pthread_spin_trylock", s);
  return real().spin_trylock(s);
}

int spin_unlock(void* s) {
  point("pthread_spin_unlock", s);
  const int rc = real().spin_unlock(s);
  wake(s, true);
  return rc;
}

int sem_wait(void* s, bool timed) {
  const int rc = acquire(s, "sem_wait", timed, [s] {
    if (real().sem_trywait(s) == 0) return 0;
    return errno == EAGAIN ? EBUSY : errno;
  });
  if (rc == 0) return 0;
  errno = rc;
  return -1;
}

int sem_trywait(void* s) {
  point("sem_trywait", s);
  return real().sem_trywait(s);
}

int sem_post(void* s) {
  point("sem_post", s);
  const int rc = real().sem_post(s);
  wake(s, true);
  return rc;
}

namespace {
// The stack size a thread's attributes ask for (0: the default), which its
// fiber honours: code that starts a thread with a deep stack on purpose
// (pthread_attr_setstacksize) would overflow the fibers' 8 MiB.
std::size_t stack_bytes(const void* attr) {
  std::size_t size = 0;
  if (attr == nullptr ||
      pthread_attr_getstacksize(static_cast<const pthread_attr_t*>(attr), &size) != 0)
    return 0;
  return size;
}
// Whether the attributes start the thread detached: nobody will join it
// (a thread still running when the roles end is reported as detached, not
// as never joined).
bool starts_detached(const void* attr) {
  int state = PTHREAD_CREATE_JOINABLE;
  return attr != nullptr &&
         pthread_attr_getdetachstate(static_cast<const pthread_attr_t*>(attr), &state) == 0 &&
         state == PTHREAD_CREATE_DETACHED;
}
}  // namespace

int create(void* thread, const void* attr, void* (*fn)(void*), void* arg) {
  Steer& s = me();
  Controller& c = *s.controller;
  point("pthread_create", nullptr);
  const unsigned t = c.spawn(s.index);
  if (t == Controller::kNoSlot) {
    fail(FailureKind::error,
         "the code under test started more than " + std::to_string(Controller::kMaxSpawned) +
             " threads in one trial; the controlled scheduler steers at most that many");
    return EAGAIN;
  }
  Steer* child = c.steer(t);
  child->start_fn = fn;
  child->start_arg = arg;
  child->returned = nullptr;
  child->fiber = s.fiber;
  if (starts_detached(attr)) c.detach(t);
  if (s.fiber) {
    // Fibers (sched/role_fibers.hpp): the started thread is one too, and its
    // pthread_t a stand-in no thread has (its place's address), which
    // pthread_join and pthread_detach hand to the scheduler alone.
    if (!c.spawn_fiber(t, &trampoline, child, stack_bytes(attr))) {
      c.spawn_failed(t);
      return EAGAIN;
    }
    child->thread = reinterpret_cast<unsigned long>(child);
    *static_cast<pthread_t*>(thread) = child->thread;
    return 0;
  }
  const int rc = real().create(thread, attr, &trampoline, child);
  if (rc != 0) {
    c.spawn_failed(t);
    return rc;
  }
  child->thread = *static_cast<pthread_t*>(thread);
  return 0;
}

namespace {

// The end of a join the scheduler saw through, or aborted (a deadlock: the
// joined thread is unwinding too and ends soon; it is waited for in the
// kernel rather than this thread unwound, which would destroy a joinable
// std::thread, std::terminate). A fiber's result is kept by its place.
int joined(Steer& s, unsigned t, unsigned long thread, void** result) {
  if (const Steer* j = s.controller->steer(t); j->fiber) {
    if (result != nullptr) *result = j->returned;
    return 0;
  }
  return real().join(thread, result);
}

}  // namespace

int join(unsigned long thread, void** result) {
  Steer& s = me();
  const unsigned t = s.controller->find_thread(thread);
  // A thread started outside the trial (by setup, by a library's own pool)
  // is not the scheduler's: wait for it in the kernel.
  if (t == Controller::kNoSlot) return real().join(thread, result);
  (void)s.controller->join(s.index, t);
  return joined(s, t, thread, result);
}

int join_within(unsigned long thread, void** result, bool timed) {
  Steer& s = me();
  const unsigned t = s.controller->find_thread(thread);
  if (t == Controller::kNoSlot) return ESRCH;  // the caller asks the C library
  const int rc = s.controller->join(
      s.index, t, timed ? Controller::JoinWait::timed : Controller::JoinWait::no_wait);
  if (rc == EBUSY || rc == ETIMEDOUT) return rc;
  return joined(s, t, thread, result);
}

int detach(unsigned long thread) {
  Steer& s = me();
  const unsigned t = s.controller->find_thread(thread);
  if (t == Controller::kNoSlot) return real().detach(thread);
  s.controller->detach(t);
  return s.controller->steer(t)->fiber ? 0 : real().detach(thread);
}

namespace {
// What pthread_exit throws on a fiber: the started thread's function ends
// with `value` (the trampoline catches it), its destructors run on the way.
struct FiberExit {
  void* value;
};
}  // namespace

void thread_exit(void* value) {
  Steer& s = me();
  if (!s.fiber) return;
  if (s.controller->root_of(s.index) == s.index)
    fail(FailureKind::error,
         "pthread_exit called by role " + s.controller->name(s.index) +
             ": a role ends by returning (as a fiber, pthread_exit would end the fibers' thread)");
  throw FiberExit{value};
}

namespace {

// glibc's struct pthread_barrier (nptl/pthread_barrier_wait.c, 2.36; the
// words checked against a barrier of 3 threads after two rounds: 6 6 3 0 6):
// `in` counts arrivals, `current_round` the arrivals of the rounds that
// completed, `out` the departures; all three go back to 0 when `out`
// reaches the reset threshold. `shared` is 128 for a process-shared one.
struct GlibcBarrier {
  unsigned in;
  unsigned current_round;
  unsigned count;
  int shared;
  unsigned out;
};
static_assert(sizeof(GlibcBarrier) <= sizeof(pthread_barrier_t));
constexpr unsigned kBarrierInThreshold = UINT_MAX / 2;  // glibc's BARRIER_IN_THRESHOLD

}  // namespace

bool barrier_is_shared(const void* b) noexcept {
  return static_cast<const GlibcBarrier*>(b)->shared != 0;
}

// One thread of the trial runs at a time, so glibc's atomic steps are plain
// ones here; what glibc waits for on the futex is a park on the barrier. The
// reset that glibc makes after UINT_MAX / 2 departures is made alike (the
// wait of an arrival past that, for the reset, is not: no run gets there).
int barrier_wait(void* b) {
  auto* bar = static_cast<GlibcBarrier*>(b);
  point("pthread_barrier_wait", b);
  const unsigned count = bar->count;
  const unsigned max_in = kBarrierInThreshold - kBarrierInThreshold % count;
  const unsigned i = __atomic_add_fetch(&bar->in, 1, __ATOMIC_RELEASE);
  const unsigned round_end = i - i % count + (i % count == 0 ? 0 : count);
  if (i % count == 0) {
    __atomic_store_n(&bar->current_round, i, __ATOMIC_RELEASE);
    wake(b, true);
  }
  while (__atomic_load_n(&bar->current_round, __ATOMIC_ACQUIRE) < round_end)
    (void)park(b, "pthread_barrier_wait", false);
  if (__atomic_add_fetch(&bar->out, 1, __ATOMIC_RELEASE) == max_in) {
    __atomic_store_n(&bar->current_round, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&bar->out, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&bar->in, 0, __ATOMIC_RELEASE);
  }
  return i % count == 0 ? PTHREAD_BARRIER_SERIAL_THREAD : 0;
}

int once(void* control, void (*init)()) {
  auto* state = static_cast<int*>(control);
  point("pthread_once", control);
  for (;;) {
    const int v = __atomic_load_n(state, __ATOMIC_ACQUIRE);
    if ((v & kOnceDone) != 0) return 0;
    if ((v & kOnceInProgress) == 0) break;
    // Another thread runs the initialiser (and was switched out inside it).
    (void)park(control, "pthread_once", false);
  }
  __atomic_store_n(state, kOnceInProgress, __ATOMIC_RELEASE);
  try {
    init();
  } catch (...) {
    // As glibc does when the initialiser is cancelled: not run.
    __atomic_store_n(state, 0, __ATOMIC_RELEASE);
    wake(control, true);
    throw;
  }
  __atomic_store_n(state, kOnceDone, __ATOMIC_RELEASE);
  // A thread outside the trial may wait in glibc's own futex wait on it.
  real().syscall(SYS_futex, reinterpret_cast<long>(state), FUTEX_WAKE_PRIVATE, INT_MAX, 0, 0, 0);
  wake(control, true);
  return 0;
}

unsigned long fiber_self() noexcept { return reinterpret_cast<unsigned long>(&me()); }

unsigned long os_thread(unsigned long thread) noexcept {
  return me().controller->is_stand_in(thread) ? real().self() : thread;
}

int getattr(unsigned long thread, void* attr) {
  Controller& c = *me().controller;
  if (!c.is_stand_in(thread)) return real().getattr(thread, attr);
  const int rc = real().getattr(real().self(), attr);
  void* low = nullptr;
  std::size_t size = 0;
  if (rc != 0 || !c.fibers()->stack_of(reinterpret_cast<const Steer*>(thread)->index, low, size))
    return rc;
  auto* a = static_cast<pthread_attr_t*>(attr);
  (void)pthread_attr_setstack(a, low, size);
  (void)pthread_attr_setguardsize(a, static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
  return 0;
}

int cancel_fiber() {
  fail(FailureKind::error,
       "pthread_cancel of a thread run as a fiber: a fiber cannot be cancelled; run without "
       "schedule.strategy.fibers");
  return ENOTSUP;
}

void* getspecific(unsigned key) noexcept { return me().controller->keys(me().index).get(key); }
int setspecific(unsigned key, const void* value) noexcept {
  return me().controller->keys(me().index).set(key, value);
}

void yield(const char* label) { point(label, nullptr, Access::yield); }

bool futex(long* args, long& result) {
  if (args[0] != SYS_futex) return false;
  auto* word = reinterpret_cast<int*>(args[1]);
  const int op = static_cast<int>(args[2]) & FUTEX_CMD_MASK;
  const auto value = static_cast<int>(args[3]);
  switch (op) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      point("futex.wait", word);
      if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != value) {
        errno = EAGAIN;
        result = -1;
        return true;
      }
      const bool timed = args[4] != 0;
      if (!park(word, "futex.wait", timed)) {
        errno = ETIMEDOUT;
        result = -1;
        return true;
      }
      result = 0;
      return true;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
      point("futex.wake", word);
      wake(word, value > 1);
      // Waiters outside the trial, if any, are the kernel's.
      result = real().syscall(args[0], args[1], args[2], args[3], args[4], args[5], args[6]);
      return true;
    default:
      return false;
  }
}

namespace {

// The start of a thread the code under test started: it takes its slot and
// waits for its turn before running the code's function. Whatever ends the
// function (a return, an exception, pthread_exit's forced unwinding, a
// deadlock's ScheduleAborted) ends the slot.
void* trampoline(void* p) {
  Steer* self = static_cast<Steer*>(p);
  Controller& c = *self->controller;
  const unsigned t = self->index;
  struct End {
    Controller& c;
    unsigned t;
    ~End() {
      // The destructors of its pthread key values, which glibc runs at a
      // thread's exit before a join returns: here, while the thread still
      // has the turn (on every way out: a return, pthread_exit). Not in an
      // aborted trial, whose threads only unwind.
      if (!c.aborted()) {
        try {
          c.keys(t).run_destructors();
        } catch (const ScheduleAborted&) {
        }
      }
      c.spawned_end(t);
      c.spawned_exited();
    }
  } end{c, t};
  c.spawned_start(t);
  try {
    return self->returned = self->start_fn(self->start_arg);
  } catch (const ScheduleAborted&) {
  } catch (const FiberExit& e) {
    return self->returned = e.value;
  } catch (const abi::__forced_unwind&) {
    throw;  // pthread_exit
  } catch (const std::exception& e) {
    // std::thread would call std::terminate; the trial says why instead.
    fail(FailureKind::error, "thread " + c.name(t) + " ended by an exception: " + e.what());
  } catch (...) {
    fail(FailureKind::error, "thread " + c.name(t) + " ended by an unknown exception");
  }
  return nullptr;
}

}  // namespace

namespace {

// A process forked by a thread of a steered trial is no thread of the
// trial: the child has none of the others (and no scheduler that runs
// them), so its calls go to the C library. Left steered, the child's first
// lock or write was a schedule point that handed the turn to a thread the
// child does not have, and waited for it forever (io_waits, fork_child).
// Not for vfork or posix_spawn, whose child shares the parent's memory
// until it execs and runs no handler.
void child_leaves_the_trial() { sched::tls_steer = nullptr; }
[[gnu::constructor]] void register_fork_handler() {
  ::pthread_atfork(nullptr, nullptr, &child_leaves_the_trial);
}

}  // namespace

}  // namespace strain::intercept
