#pragma once
// The C library's own definitions of the functions the host exports
// (exports.cpp), found with dlsym(RTLD_NEXT): outside a steered trial every
// exported function is one call through one of these pointers.
//
// Opaque pointer types on purpose: this header is included where
// <pthread.h> must not be (see sched/steer.hpp); the C calling convention
// does not care.

#include <cstdint>

struct timespec;

namespace strain::intercept {

struct Real {
  int (*mutex_lock)(void*);
  int (*mutex_trylock)(void*);
  int (*mutex_timedlock)(void*, const timespec*);
  int (*mutex_clocklock)(void*, int, const timespec*);
  int (*mutex_unlock)(void*);
  int (*cond_wait)(void*, void*);
  int (*cond_timedwait)(void*, void*, const timespec*);
  int (*cond_clockwait)(void*, void*, int, const timespec*);
  int (*cond_signal)(void*);
  int (*cond_broadcast)(void*);
  int (*rwlock_rdlock)(void*);
  int (*rwlock_tryrdlock)(void*);
  int (*rwlock_timedrdlock)(void*, const timespec*);
  int (*rwlock_clockrdlock)(void*, int, const timespec*);
  int (*rwlock_wrlock)(void*);
  int (*rwlock_trywrlock)(void*);
  int (*rwlock_timedwrlock)(void*, const timespec*);
  int (*rwlock_clockwrlock)(void*, int, const timespec*);
  int (*rwlock_unlock)(void*);
  int (*spin_lock)(void*);
  int (*spin_trylock)(void*);
  int (*spin_unlock)(void*);
  int (*sem_wait)(void*);
  int (*sem_trywait)(void*);
  int (*sem_timedwait)(void*, const timespec*);
  int (*sem_clockwait)(void*, int, const timespec*);
  int (*sem_post)(void*);
  int (*create)(void*, const void*, void* (*)(void*), void*);
  int (*join)(unsigned long, void**);
  int (*tryjoin)(unsigned long, void**);
  int (*timedjoin)(unsigned long, void**, const timespec*);
  int (*clockjoin)(unsigned long, void**, int, const timespec*);
  int (*detach)(unsigned long);
  void (*exit)(void*);
  int (*once)(void*, void (*)());
  int (*barrier_wait)(void*);
  int (*yield)();
  int (*nanosleep)(const timespec*, timespec*);
  int (*clock_nanosleep)(int, int, const timespec*, timespec*);
  int (*usleep)(unsigned);
  unsigned (*sleep)(unsigned);
  long (*syscall)(long, long, long, long, long, long, long);
  // The functions that name a thread by its pthread_t (exports.cpp, "thread
  // ids"): a fiber's is a stand-in, which these map to the fibers' thread.
  unsigned long (*self)();
  int (*setname)(unsigned long, const char*);
  int (*getname)(unsigned long, char*, unsigned long);
  int (*getattr)(unsigned long, void*);
  int (*kill)(unsigned long, int);
  int (*setaffinity)(unsigned long, unsigned long, const void*);
  int (*getaffinity)(unsigned long, unsigned long, void*);
  int (*setschedparam)(unsigned long, int, const void*);
  int (*getschedparam)(unsigned long, int*, void*);
  int (*setschedprio)(unsigned long, int);
  int (*getcpuclockid)(unsigned long, int*);
  int (*cancel)(unsigned long);
  // pthread keys (a fiber's or a started thread's values are the host's).
  int (*key_create)(unsigned*, void (*)(void*));
  int (*key_delete)(unsigned);
  void* (*getspecific)(unsigned);
  int (*setspecific)(unsigned, const void*);
  // The calls that wait for I/O (exports_io.cpp, steered_io.cpp), with the
  // _FORTIFY_SOURCE variants a fortified build of the code calls instead.
  long (*read)(int, void*, unsigned long);
  long (*readv)(int, const void*, int);
  long (*write)(int, const void*, unsigned long);
  long (*writev)(int, const void*, int);
  long (*recv)(int, void*, unsigned long, int);
  long (*recvfrom)(int, void*, unsigned long, int, void*, void*);
  long (*recvmsg)(int, void*, int);
  long (*send)(int, const void*, unsigned long, int);
  long (*sendto)(int, const void*, unsigned long, int, const void*, unsigned);
  long (*sendmsg)(int, const void*, int);
  int (*accept)(int, void*, void*);
  int (*accept4)(int, void*, void*, int);
  int (*eventfd_read)(int, void*);
  int (*eventfd_write)(int, unsigned long);
  int (*poll)(void*, unsigned long, int);
  int (*ppoll)(void*, unsigned long, const timespec*, const void*);
  int (*select)(int, void*, void*, void*, void*);
  int (*pselect)(int, void*, void*, void*, const timespec*, const void*);
  int (*epoll_wait)(int, void*, int, int);
  int (*epoll_pwait)(int, void*, int, int, const void*);
  int (*epoll_pwait2)(int, void*, int, const timespec*, const void*);
  long (*read_chk)(int, void*, unsigned long, unsigned long);
  long (*recv_chk)(int, void*, unsigned long, unsigned long, int);
  long (*recvfrom_chk)(int, void*, unsigned long, unsigned long, int, void*, void*);
  int (*poll_chk)(void*, unsigned long, int, unsigned long);
  int (*ppoll_chk)(void*, unsigned long, const timespec*, const void*, unsigned long);
};

//! The C library's functions, resolved on first use (the exported functions
//! may run before any constructor of the host, from libc's own start-up).
const Real& real() noexcept;

}  // namespace strain::intercept
