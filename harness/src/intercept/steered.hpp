#pragma once
// What the exported pthread and libc functions do on a thread of a steered
// trial (sched::tls_steer set): each blocking operation becomes a schedule
// point, and a wait parks the thread in the controlled scheduler instead of
// the kernel, so the strategy decides who runs next and a deadlock is seen
// (every thread parked) instead of hanging. The object itself (a mutex, a
// semaphore, an rwlock) keeps its state: only one thread runs at a time, so
// a non-blocking try on it says whether the operation may proceed.
//
// A wait that the scheduler aborts (every thread blocked: a deadlock) throws
// strain::ScheduleAborted, which unwinds the thread to the role or started
// thread's entry, where the harness catches it. Hence no noexcept here and
// no <pthread.h> in this header (see sched/steer.hpp).
//
// Process-shared mutexes and condvars pass through: another process may
// hold them, which the scheduler cannot see, and the primitives of
// <strain/sync.hpp>, which are process-shared, steer themselves.

#include <cstdint>

struct timespec;

namespace strain::intercept {

// Each returns what the C function returns; `timed` calls with a deadline
// time out only when every other thread is blocked (time does not pass
// under the controlled scheduler).
int mutex_lock(void* m, bool timed);
int mutex_trylock(void* m);
int mutex_unlock(void* m);
int cond_wait(void* c, void* m, bool timed);
int cond_signal(void* c, bool all);
enum class RwMode { read, write };
int rwlock_lock(void* rw, RwMode mode, bool timed);
int rwlock_trylock(void* rw, RwMode mode);
int rwlock_unlock(void* rw);
int spin_lock(void* s);
int spin_trylock(void* s);
int spin_unlock(void* s);
int sem_wait(void* s, bool timed);
int sem_trywait(void* s);
int sem_post(void* s);
int create(void* thread, const void* attr, void* (*fn)(void*), void* arg);
int join(unsigned long thread, void** result);
//! pthread_tryjoin_np (`timed` false) and pthread_timedjoin_np /
//! pthread_clockjoin_np (`timed`): a started thread's end as the scheduler
//! has it, which glibc's would wait for outside it (the started thread
//! waiting for the turn the joiner holds).
int join_within(unsigned long thread, void** result, bool timed);
int detach(unsigned long thread);
//! pthread_exit on a fiber ends that fiber's function (glibc's would unwind
//! to the start of the fibers' OS thread and end it); returns for a thread.
void thread_exit(void* value);
int once(void* control, void (*init)());
//! pthread_barrier_wait: glibc's own protocol on the barrier's words (so a
//! barrier stays glibc's), with the waits parked in the scheduler.
int barrier_wait(void* barrier);
//! pthread_self of a fiber (role or started thread): a stand-in of its own,
//! its place's address, as a started fiber's pthread_create gave; as
//! threads have ids of their own, code that compares them (an owner check,
//! a per-thread table) tells the fibers apart.
unsigned long fiber_self() noexcept;
//! The thread that `thread` names for a C library function that takes a
//! pthread_t: the fibers' OS thread for a stand-in of this trial's, else
//! `thread` itself.
unsigned long os_thread(unsigned long thread) noexcept;
//! pthread_getattr_np on a fiber: a stand-in's attributes are the fibers'
//! OS thread's, with the fiber's own stack (mapped by role_fibers.cpp).
int getattr(unsigned long thread, void* attr);
//! pthread_cancel of a stand-in: a fiber cannot be cancelled; an error.
int cancel_fiber();
//! pthread_getspecific / pthread_setspecific of a thread whose key values
//! the host keeps (Steer::own_keys, sched/thread_keys.hpp).
void* getspecific(unsigned key) noexcept;
int setspecific(unsigned key, const void* value) noexcept;
//! sched_yield and the sleeps: a point where the thread gives way.
void yield(const char* label);
//! The futex operations libstdc++'s std::atomic::wait/notify,
//! std::counting_semaphore, std::latch and std::barrier use; true if `op`
//! was one of them and `result` holds what syscall() returns.
bool futex(long* args, long& result);

// --- I/O (steered_io.cpp) ----------------------------------------------------
// A call that may wait for I/O is a point; a wait for a descriptor parks the
// thread in the scheduler until the descriptor is ready (sched/io_wait.hpp),
// so a role reading a pipe that another role writes lets the writer run
// instead of holding the turn in the kernel.

//! Before a read-like (`out` false) or write-like call on `fd`: a point,
//! then, unless the call may not wait (`dontwait`, O_NONBLOCK), a park until
//! `fd` is ready. Nothing for a regular file, a directory or a block device,
//! which never wait.
void fd_wait(int fd, bool out, bool dontwait, const char* label);
//! The multiplexers: what the C function returns, after a point and a park
//! until a descriptor is ready; their timeouts (-1: none) count in real time
//! while every thread of the trial is blocked (0 once they passed).
int poll(void* fds, unsigned long n, std::int64_t timeout_ns, const void* sigmask, bool has_mask);
int select(int n, void* r, void* w, void* e, std::int64_t timeout_ns, const void* sigmask,
           bool has_mask);
int epoll_wait(int epfd, void* events, int max, std::int64_t timeout_ns, const void* sigmask,
               bool has_mask);
//! A timeout as nanoseconds, -1 for none: milliseconds (negative: none), a
//! timespec or a timeval (null: none).
std::int64_t ms_timeout(int ms);
std::int64_t ts_timeout(const timespec* t);
std::int64_t tv_timeout(const void* timeval);

//! Whether the pthread object at `p` is process-shared (then it passes
//! through).
bool mutex_is_shared(const void* m) noexcept;
bool cond_is_shared(const void* c) noexcept;
bool barrier_is_shared(const void* b) noexcept;

}  // namespace strain::intercept
