#pragma once
// The values of pthread keys (pthread_key_create, pthread_getspecific,
// pthread_setspecific: what Boost.Thread's thread_specific_ptr, OpenSSL's
// error queue or GLib's GPrivate keep per thread) for the threads of a
// controlled trial whose per-thread data the C library cannot keep apart
// or in order:
//  - fibers share one OS thread, so glibc's values for it were every
//    fiber's: one fiber's set was another's get;
//  - a thread the code under test started runs the destructors of its
//    values at its exit, which glibc does after the thread left the
//    scheduler: the joiner, which must see them done (glibc runs them
//    before pthread_join returns), could run first.
// For those threads the host keeps the values here, per thread, and runs
// the destructors as the thread's function returns, while it is still
// scheduled. A role thread run as a thread keeps glibc's.
//
// A fixed table per thread scanned in order: a thread sets a few keys, and
// no allocation is allowed in a trial. Keys are glibc's own (the host
// creates them with glibc's pthread_key_create and notes each one's
// destructor and generation here, so a deleted key's value is gone).

#include <cstdint>

namespace strain::sched {

class ThreadKeys {
 public:
  //! Keys with a value that one thread holds at once, at most.
  static constexpr unsigned kCapacity = 32;
  //! glibc's PTHREAD_KEYS_MAX.
  static constexpr unsigned kKeys = 1024;
  //! glibc's PTHREAD_DESTRUCTOR_ITERATIONS: rounds of destructors at exit.
  static constexpr int kDestructorRounds = 4;

  //! `key` was created with `destructor` (may be null).
  static void created(unsigned key, void (*destructor)(void*)) noexcept;
  //! `key` was deleted: values set before are gone, and no destructor runs.
  static void deleted(unsigned key) noexcept;

  //! The thread's value of `key` (null if none, as on a new thread).
  void* get(unsigned key) const noexcept;
  //! 0; EINVAL for a key never created; ENOMEM when kCapacity keys hold a
  //! value already.
  int set(unsigned key, const void* value) noexcept;
  //! What a thread's exit does: each value's destructor, with the value set
  //! to null first, for up to kDestructorRounds rounds while destructors
  //! set values again; then forgets every value. Runs the code under test.
  void run_destructors();
  //! A new thread in this slot: no value.
  void clear() noexcept { used_ = 0; }

 private:
  struct Entry {
    unsigned key = 0;
    std::uint32_t generation = 0;
    void* value = nullptr;
  };
  const Entry* find(unsigned key) const noexcept;
  Entry entries_[kCapacity];
  unsigned used_ = 0;
};

}  // namespace strain::sched
