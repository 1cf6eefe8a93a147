#include "intercept/real.hpp"

#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace strain::intercept {

namespace {

// dlsym without a version finds a symbol's oldest version where glibc keeps
// several: for the condvar functions that is the LinuxThreads-era
// GLIBC_2.2.5 one, which takes another layout. The versions below are the
// default ones of glibc on x86_64 (the ones a program links against today),
// as ThreadSanitizer's interceptors pick them too.
void* find(const char* name, const char* version = nullptr) noexcept {
  void* p = version != nullptr ? ::dlvsym(RTLD_NEXT, name, version) : nullptr;
  if (p == nullptr) p = ::dlsym(RTLD_NEXT, name);
  if (p == nullptr) {
    std::fprintf(stderr, "strain: the C library has no %s, which strain interposes\n", name);
    std::abort();
  }
  return p;
}

template <class F>
void bind(F& slot, const char* name, const char* version = nullptr) noexcept {
  slot = reinterpret_cast<F>(find(name, version));
}

// The calls that wait for I/O (exports_io.cpp), and the _FORTIFY_SOURCE
// variants of those that have one.
void resolve_io(Real& r) noexcept {
  bind(r.read, "read");
  bind(r.readv, "readv");
  bind(r.write, "write");
  bind(r.writev, "writev");
  bind(r.recv, "recv");
  bind(r.recvfrom, "recvfrom");
  bind(r.recvmsg, "recvmsg");
  bind(r.send, "send");
  bind(r.sendto, "sendto");
  bind(r.sendmsg, "sendmsg");
  bind(r.accept, "accept");
  bind(r.accept4, "accept4");
  bind(r.eventfd_read, "eventfd_read");
  bind(r.eventfd_write, "eventfd_write");
  bind(r.poll, "poll");
  bind(r.ppoll, "ppoll");
  bind(r.select, "select");
  bind(r.pselect, "pselect");
  bind(r.epoll_wait, "epoll_wait");
  bind(r.epoll_pwait, "epoll_pwait");
  bind(r.epoll_pwait2, "epoll_pwait2");
  bind(r.read_chk, "__read_chk");
  bind(r.recv_chk, "__recv_chk");
  bind(r.recvfrom_chk, "__recvfrom_chk");
  bind(r.poll_chk, "__poll_chk");
  bind(r.ppoll_chk, "__ppoll_chk");
}

Real resolve() noexcept {
  Real r{};
  bind(r.mutex_lock, "pthread_mutex_lock");
  bind(r.mutex_trylock, "pthread_mutex_trylock");
  bind(r.mutex_timedlock, "pthread_mutex_timedlock");
  bind(r.mutex_clocklock, "pthread_mutex_clocklock");
  bind(r.mutex_unlock, "pthread_mutex_unlock");
  bind(r.cond_wait, "pthread_cond_wait", "GLIBC_2.3.2");
  bind(r.cond_timedwait, "pthread_cond_timedwait", "GLIBC_2.3.2");
  bind(r.cond_clockwait, "pthread_cond_clockwait");
  bind(r.cond_signal, "pthread_cond_signal", "GLIBC_2.3.2");
  bind(r.cond_broadcast, "pthread_cond_broadcast", "GLIBC_2.3.2");
  bind(r.rwlock_rdlock, "pthread_rwlock_rdlock");
  bind(r.rwlock_tryrdlock, "pthread_rwlock_tryrdlock");
  bind(r.rwlock_timedrdlock, "pthread_rwlock_timedrdlock");
  bind(r.rwlock_clockrdlock, "pthread_rwlock_clockrdlock");
  bind(r.rwlock_wrlock, "pthread_rwlock_wrlock");
  bind(r.rwlock_trywrlock, "pthread_rwlock_trywrlock");
  bind(r.rwlock_timedwrlock, "pthread_rwlock_timedwrlock");
  bind(r.rwlock_clockwrlock, "pthread_rwlock_clockwrlock");
  bind(r.rwlock_unlock, "pthread_rwlock_unlock");
  bind(r.spin_lock, "pthread_spin_lock");
  bind(r.spin_trylock, "pthread_spin_trylock");
  bind(r.spin_unlock, "pthread_spin_unlock");
  bind(r.sem_wait, "sem_wait");
  bind(r.sem_trywait, "sem_trywait");
  bind(r.sem_timedwait, "sem_timedwait");
  bind(r.sem_clockwait, "sem_clockwait");
  bind(r.sem_post, "sem_post");
  bind(r.create, "pthread_create");
  bind(r.join, "pthread_join");
  bind(r.tryjoin, "pthread_tryjoin_np");
  bind(r.timedjoin, "pthread_timedjoin_np");
  bind(r.clockjoin, "pthread_clockjoin_np");
  bind(r.detach, "pthread_detach");
  bind(r.exit, "pthread_exit");
  bind(r.once, "pthread_once");
  bind(r.barrier_wait, "pthread_barrier_wait");
  bind(r.yield, "sched_yield");
  bind(r.nanosleep, "nanosleep");
  bind(r.clock_nanosleep, "clock_nanosleep");
  bind(r.usleep, "usleep");
  bind(r.sleep, "sleep");
  bind(r.syscall, "syscall");
  bind(r.self, "pthread_self");
  bind(r.setname, "pthread_setname_np");
  bind(r.getname, "pthread_getname_np");
  bind(r.getattr, "pthread_getattr_np");
  bind(r.kill, "pthread_kill");
  bind(r.setaffinity, "pthread_setaffinity_np", "GLIBC_2.3.4");
  bind(r.getaffinity, "pthread_getaffinity_np", "GLIBC_2.3.4");
  bind(r.setschedparam, "pthread_setschedparam");
  bind(r.getschedparam, "pthread_getschedparam");
  bind(r.setschedprio, "pthread_setschedprio");
  bind(r.getcpuclockid, "pthread_getcpuclockid");
  bind(r.cancel, "pthread_cancel");
  bind(r.key_create, "pthread_key_create");
  bind(r.key_delete, "pthread_key_delete");
  bind(r.getspecific, "pthread_getspecific");
  bind(r.setspecific, "pthread_setspecific");
  resolve_io(r);
  return r;
}

// Filled once; a thread that finds it empty resolves it again (dlsym is
// thread-safe and every thread finds the same addresses), so no lock and no
// function-local static guard is needed on a path libc may take before the
// host's constructors ran.
Real g_real{};
std::atomic<bool> g_ready{false};

}  // namespace

const Real& real() noexcept {
  if (!g_ready.load(std::memory_order_acquire)) [[unlikely]] {
    static_assert(sizeof(Real) % sizeof(void*) == 0);
    Real r = resolve();
    g_real = r;
    g_ready.store(true, std::memory_order_release);
  }
  return g_real;
}

// Resolved before main, so that the first call of a steered trial does not
// pay for dlsym.
[[gnu::constructor]] static void resolve_early() { (void)real(); }

}  // namespace strain::intercept
