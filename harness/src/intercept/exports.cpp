// The pthread and libc functions the host exports (the executable is linked
// with -rdynamic): the dynamic linker binds a plugin's calls to them, and
// libstdc++'s, before the C library's, since the executable comes first in
// the global scope. On a thread of a steered trial they go to steered.cpp;
// everywhere else they call the C library's own at once, for one
// thread-local load and a branch (see tests/bench: interposed_bench).
//
// No <pthread.h> or other libc header that declares these functions is
// included here: their declarations are noexcept in C++, and the steered
// versions unwind a deadlocked thread by throwing (see steered.hpp).

#include <cerrno>
#include <cstdarg>

#include "intercept/exported.hpp"
#include "intercept/real.hpp"
#include "intercept/steered.hpp"
#include "sched/steer.hpp"
#include "sched/thread_keys.hpp"

namespace {

using strain::intercept::real;
namespace st = strain::intercept;

}  // namespace

// --- mutexes ---------------------------------------------------------------
STRAIN_EXPORT int pthread_mutex_lock(void* m) {
  if (steered() && !st::mutex_is_shared(m)) [[unlikely]]
    return st::mutex_lock(m, false);
  return real().mutex_lock(m);
}
STRAIN_EXPORT int pthread_mutex_trylock(void* m) {
  if (steered() && !st::mutex_is_shared(m)) [[unlikely]]
    return st::mutex_trylock(m);
  return real().mutex_trylock(m);
}
STRAIN_EXPORT int pthread_mutex_timedlock(void* m, const timespec* t) {
  if (steered() && !st::mutex_is_shared(m)) [[unlikely]]
    return st::mutex_lock(m, true);
  return real().mutex_timedlock(m, t);
}
STRAIN_EXPORT int pthread_mutex_clocklock(void* m, int clock, const timespec* t) {
  if (steered() && !st::mutex_is_shared(m)) [[unlikely]]
    return st::mutex_lock(m, true);
  return real().mutex_clocklock(m, clock, t);
}
STRAIN_EXPORT int pthread_mutex_unlock(void* m) {
  if (steered() && !st::mutex_is_shared(m)) [[unlikely]]
    return st::mutex_unlock(m);
  return real().mutex_unlock(m);
}

// --- condition variables ---------------------------------------------------
STRAIN_EXPORT int pthread_cond_wait(void* c, void* m) {
  if (steered() && !st::cond_is_shared(c)) [[unlikely]]
    return st::cond_wait(c, m, false);
  return real().cond_wait(c, m);
}
STRAIN_EXPORT int pthread_cond_timedwait(void* c, void* m, const timespec* t) {
  if (steered() && !st::cond_is_shared(c)) [[unlikely]]
    return st::cond_wait(c, m, true);
  return real().cond_timedwait(c, m, t);
}
STRAIN_EXPORT int pthread_cond_clockwait(void* c, void* m, int clock, const timespec* t) {
  if (steered() && !st::cond_is_shared(c)) [[unlikely]]
    return st::cond_wait(c, m, true);
  return real().cond_clockwait(c, m, clock, t);
}
STRAIN_EXPORT int pthread_cond_signal(void* c) {
  if (steered() && !st::cond_is_shared(c)) [[unlikely]]
    return st::cond_signal(c, false);
  return real().cond_signal(c);
}
STRAIN_EXPORT int pthread_cond_broadcast(void* c) {
  if (steered() && !st::cond_is_shared(c)) [[unlikely]]
    return st::cond_signal(c, true);
  return real().cond_broadcast(c);
}

// --- rwlocks, spinlocks, semaphores ----------------------------------------
STRAIN_EXPORT int pthread_rwlock_rdlock(void* rw) {
  if (steered()) [[unlikely]]
    return st::rwlock_lock(rw, st::RwMode::read, false);
  return real().rwlock_rdlock(rw);
}
STRAIN_EXPORT int pthread_rwlock_tryrdlock(void* rw) {
  if (steered()) [[unlikely]]
    return st::rwlock_trylock(rw, st::RwMode::read);
  return real().rwlock_tryrdlock(rw);
}
STRAIN_EXPORT int pthread_rwlock_timedrdlock(void* rw, const timespec* t) {
  if (steered()) [[unlikely]]
    return st::rwlock_lock(rw, st::RwMode::read, true);
  return real().rwlock_timedrdlock(rw, t);
}
STRAIN_EXPORT int pthread_rwlock_clockrdlock(void* rw, int clock, const timespec* t) {
  if (steered()) [[unlikely]]
    return st::rwlock_lock(rw, st::RwMode::read, true);
  return real().rwlock_clockrdlock(rw, clock, t);
}
STRAIN_EXPORT int pthread_rwlock_wrlock(void* rw) {
  if (steered()) [[unlikely]]
    return st::rwlock_lock(rw, st::RwMode::write, false);
  return real().rwlock_wrlock(rw);
}
STRAIN_EXPORT int pthread_rwlock_trywrlock(void* rw) {
  if (steered()) [[unlikely]]
    return st::rwlock_trylock(rw, st::RwMode::write);
  return real().rwlock_trywrlock(rw);
}
STRAIN_EXPORT int pthread_rwlock_timedwrlock(void* rw, const timespec* t) {
  if (steered()) [[unlikely]]
    return st::rwlock_lock(rw, st::RwMode::write, true);
  return real().rwlock_timedwrlock(rw, t);
}
STRAIN_EXPORT int pthread_rwlock_clockwrlock(void* rw, int clock, const timespec* t) {
  if (steered()) [[unlikely]]
    return st::rwlock_lock(rw, st::RwMode::write, true);
  return real().rwlock_clockwrlock(rw, clock, t);
}
STRAIN_EXPORT int pthread_rwlock_unlock(void* rw) {
  if (steered()) [[unlikely]]
    return st::rwlock_unlock(rw);
  return real().rwlock_unlock(rw);
}
STRAIN_EXPORT int pthread_spin_lock(void* s) {
  if (steered()) [[unlikely]]
    return st::spin_lock(s);
  return real().spin_lock(s);
}
STRAIN_EXPORT int pthread_spin_trylock(void* s) {
  if (steered()) [[unlikely]]
    return st::spin_trylock(s);
  return real().spin_trylock(s);
}
STRAIN_EXPORT int pthread_spin_unlock(void* s) {
  if (steered()) [[unlikely]]
    return st::spin_unlock(s);
  return real().spin_unlock(s);
}
STRAIN_EXPORT int sem_wait(void* s) {
  if (steered()) [[unlikely]]
    return st::sem_wait(s, false);
  return real().sem_wait(s);
}
STRAIN_EXPORT int sem_trywait(void* s) {
  if (steered()) [[unlikely]]
    return st::sem_trywait(s);
  return real().sem_trywait(s);
}
STRAIN_EXPORT int sem_timedwait(void* s, const timespec* t) {
  if (steered()) [[unlikely]]
    return st::sem_wait(s, true);
  return real().sem_timedwait(s, t);
}
STRAIN_EXPORT int sem_clockwait(void* s, int clock, const timespec* t) {
  if (steered()) [[unlikely]]
    return st::sem_wait(s, true);
  return real().sem_clockwait(s, clock, t);
}
STRAIN_EXPORT int sem_post(void* s) {
  if (steered()) [[unlikely]]
    return st::sem_post(s);
  return real().sem_post(s);
}

// --- threads ---------------------------------------------------------------
STRAIN_EXPORT int pthread_create(void* thread, const void* attr, void* (*fn)(void*), void* arg) {
  if (steered()) [[unlikely]]
    return st::create(thread, attr, fn, arg);
  return real().create(thread, attr, fn, arg);
}
STRAIN_EXPORT int pthread_join(unsigned long thread, void** result) {
  if (steered()) [[unlikely]]
    return st::join(thread, result);
  return real().join(thread, result);
}
// ESRCH from the steered ones: a thread the scheduler does not know (one
// started outside the trial), which the C library joins.
STRAIN_EXPORT int pthread_tryjoin_np(unsigned long thread, void** result) {
  if (steered()) [[unlikely]]
    if (const int rc = st::join_within(thread, result, false); rc != ESRCH) return rc;
  return real().tryjoin(thread, result);
}
STRAIN_EXPORT int pthread_timedjoin_np(unsigned long thread, void** result, const timespec* t) {
  if (steered()) [[unlikely]]
    if (const int rc = st::join_within(thread, result, true); rc != ESRCH) return rc;
  return real().timedjoin(thread, result, t);
}
STRAIN_EXPORT int pthread_clockjoin_np(unsigned long thread, void** result, int clock,
                                       const timespec* t) {
  if (steered()) [[unlikely]]
    if (const int rc = st::join_within(thread, result, true); rc != ESRCH) return rc;
  return real().clockjoin(thread, result, clock, t);
}
STRAIN_EXPORT int pthread_detach(unsigned long thread) {
  if (steered()) [[unlikely]]
    return st::detach(thread);
  return real().detach(thread);
}
STRAIN_EXPORT void pthread_exit(void* value) {
  if (steered()) [[unlikely]]
    st::thread_exit(value);
  real().exit(value);
  __builtin_unreachable();
}
STRAIN_EXPORT int pthread_barrier_wait(void* b) {
  if (steered() && !st::barrier_is_shared(b)) [[unlikely]]
    return st::barrier_wait(b);
  return real().barrier_wait(b);
}
STRAIN_EXPORT int pthread_once(void* control, void (*init)()) {
  if (steered()) [[unlikely]]
    return st::once(control, init);
  return real().once(control, init);
}

// --- yields and sleeps: time does not pass in a steered trial ----------------
STRAIN_EXPORT int sched_yield() {
  if (steered()) [[unlikely]] {
    st::yield("sched_yield");
    return 0;
  }
  return real().yield();
}
STRAIN_EXPORT int nanosleep(const timespec* t, timespec* rem) {
  if (steered()) [[unlikely]] {
    st::yield("nanosleep");
    return 0;
  }
  return real().nanosleep(t, rem);
}
STRAIN_EXPORT int clock_nanosleep(int clock, int flags, const timespec* t, timespec* rem) {
  if (steered()) [[unlikely]] {
    st::yield("clock_nanosleep");
    return 0;
  }
  return real().clock_nanosleep(clock, flags, t, rem);
}
STRAIN_EXPORT int usleep(unsigned us) {
  if (steered()) [[unlikely]] {
    st::yield("usleep");
    return 0;
  }
  return real().usleep(us);
}
STRAIN_EXPORT unsigned sleep(unsigned s) {
  if (steered()) [[unlikely]] {
    st::yield("sleep");
    return 0;
  }
  return real().sleep(s);
}

// --- syscall(): the futex waits of libstdc++'s atomic waits -------------------
// Six arguments are read whatever the call, as glibc's own syscall() does:
// reading registers that the caller did not set is harmless on x86_64.
STRAIN_EXPORT long syscall(long number, ...) {
  long a[6];
  va_list ap;
  va_start(ap, number);
  for (long& x : a) x = va_arg(ap, long);
  va_end(ap);
  if (steered()) [[unlikely]] {
    long args[7] = {number, a[0], a[1], a[2], a[3], a[4], a[5]};
    long result = 0;
    if (st::futex(args, result)) return result;
  }
  return real().syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

// --- thread ids: a fiber's pthread_t is a stand-in (steered.hpp) -------------
// Outside a trial run as fibers each is one thread-local load and a branch
// before the C library's. What a function that takes a thread does to a
// stand-in it does to the fibers' OS thread: its name, affinity, priority
// and signals are that thread's; its attributes too, but for the stack,
// which is the fiber's.
namespace {
bool on_fiber() noexcept {
  return strain::sched::tls_steer != nullptr && strain::sched::tls_steer->fiber;
}
unsigned long os(unsigned long t) noexcept { return on_fiber() ? st::os_thread(t) : t; }
}  // namespace

STRAIN_EXPORT unsigned long pthread_self() {
  if (on_fiber()) [[unlikely]]
    return st::fiber_self();
  return real().self();
}
STRAIN_EXPORT int pthread_setname_np(unsigned long t, const char* name) {
  return real().setname(os(t), name);
}
STRAIN_EXPORT int pthread_getname_np(unsigned long t, char* name, unsigned long len) {
  return real().getname(os(t), name, len);
}
STRAIN_EXPORT int pthread_getattr_np(unsigned long t, void* attr) {
  if (on_fiber()) [[unlikely]]
    return st::getattr(t, attr);
  return real().getattr(t, attr);
}
STRAIN_EXPORT int pthread_kill(unsigned long t, int sig) { return real().kill(os(t), sig); }
STRAIN_EXPORT int pthread_setaffinity_np(unsigned long t, unsigned long size, const void* set) {
  return real().setaffinity(os(t), size, set);
}
STRAIN_EXPORT int pthread_getaffinity_np(unsigned long t, unsigned long size, void* set) {
  return real().getaffinity(os(t), size, set);
}
STRAIN_EXPORT int pthread_setschedparam(unsigned long t, int policy, const void* param) {
  return real().setschedparam(os(t), policy, param);
}
STRAIN_EXPORT int pthread_getschedparam(unsigned long t, int* policy, void* param) {
  return real().getschedparam(os(t), policy, param);
}
STRAIN_EXPORT int pthread_setschedprio(unsigned long t, int prio) {
  return real().setschedprio(os(t), prio);
}
STRAIN_EXPORT int pthread_getcpuclockid(unsigned long t, int* clock) {
  return real().getcpuclockid(os(t), clock);
}

// --- thread-specific data: fibers share glibc's, and a started thread's
// destructors must run before its joiner goes on (sched/thread_keys.hpp) ----
namespace {
bool own_keys() noexcept {
  return strain::sched::tls_steer != nullptr && strain::sched::tls_steer->own_keys;
}
}  // namespace

STRAIN_EXPORT int pthread_key_create(unsigned* key, void (*destructor)(void*)) {
  const int rc = real().key_create(key, destructor);
  if (rc == 0) strain::sched::ThreadKeys::created(*key, destructor);
  return rc;
}
STRAIN_EXPORT int pthread_key_delete(unsigned key) {
  strain::sched::ThreadKeys::deleted(key);
  return real().key_delete(key);
}
STRAIN_EXPORT void* pthread_getspecific(unsigned key) {
  if (own_keys()) [[unlikely]]
    return st::getspecific(key);
  return real().getspecific(key);
}
STRAIN_EXPORT int pthread_setspecific(unsigned key, const void* value) {
  if (own_keys()) [[unlikely]]
    return st::setspecific(key, value);
  return real().setspecific(key, value);
}

STRAIN_EXPORT int pthread_cancel(unsigned long t) {
  if (on_fiber() && os(t) != t) [[unlikely]]
    return st::cancel_fiber();
  return real().cancel(t);
}
