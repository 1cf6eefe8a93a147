#pragma once
// The untyped part of strain::ProcessPool (include strain/process_pool.hpp):
// errors, options, and the detail classes whose bodies are in strain_runtime.

#include <sys/types.h>
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace strain {

//! The base of the errors a pool reports for a task.
class PoolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! A task threw in its worker (what() names the pid and the exception's
//! what()); the pool stays usable.
class TaskError : public PoolError {
 public:
  using PoolError::PoolError;
};

//! A worker process died (BrokenProcessPool): the task it ran and every task
//! queued or submitted afterwards fail with this, naming the process and how.
class BrokenPool : public PoolError {
 public:
  using PoolError::PoolError;
};

//! How a ProcessPool is sized.
struct PoolOptions {
  //! Worker processes; 0 means one per CPU (os.cpu_count()).
  unsigned workers = 0;
  //! How many futures may be outstanding (submitted, not collected or
  //! dropped): the shared region holds one slot for each.
  std::size_t max_pending = 256;
};

namespace detail {

//! The untyped part of a ProcessPool: arguments and results as bytes.
class PoolCore {
 public:
  //! Runs the pool's function of `self` on an argument's bytes, writing the result's.
  using RunFn = void (*)(const void* self, const std::byte* arg, std::byte* result);
  //! A submitted task: its slot, and the ticket of this use of the slot.
  struct Handle {
    std::uint32_t slot = 0;
    std::uint64_t ticket = 0;
  };

  //! Maps the shared region and forks the workers.
  PoolCore(const PoolOptions& options, std::size_t arg_size, std::size_t arg_align,
           std::size_t result_size, std::size_t result_align, RunFn run, const void* self);
  //! Stops and reaps every worker; see ProcessPool::~ProcessPool.
  ~PoolCore();
  PoolCore(const PoolCore&) = delete;
  PoolCore& operator=(const PoolCore&) = delete;

  unsigned workers() const noexcept;         //!< ProcessPool::workers().
  std::size_t max_pending() const noexcept;  //!< PoolOptions::max_pending.
  std::vector<pid_t> pids() const;           //!< ProcessPool::pids().
  //! Queues a task whose argument is the bytes at `arg`; throws as ProcessPool::submit.
  Handle submit(const void* arg);

 private:
  friend class FutureBase;
  friend class FinishOrder;
  class Engine;
  std::unique_ptr<Engine> e_;
};

//! The untyped part of strain::Future: the pool and the task's handle.
class FutureBase {
 public:
  //! Takes `other`'s task; `other` is left empty.
  FutureBase(FutureBase&& other) noexcept;
  //! Drops this future's task and takes `other`'s.
  FutureBase& operator=(FutureBase&& other) noexcept;
  //! Drops the task if it was not collected (it still runs).
  ~FutureBase();

  //! True while the future holds a task whose result was not collected.
  bool valid() const noexcept { return core_ != nullptr; }
  //! True once the task has finished (Future.done()); never blocks. On an
  //! empty future it throws std::logic_error, as wait() and get() do.
  bool ready() const;
  //! Blocks until the task has finished.
  void wait() const;

 protected:
  FutureBase() = default;
  FutureBase(PoolCore* core, PoolCore::Handle h) noexcept : core_(core), handle_(h) {}
  // Waits until the CLOCK_MONOTONIC `deadline`; true if the task finished.
  bool wait_until(const timespec& deadline) const;
  // Collects the result's bytes into `out`, leaving the future empty.
  void take(void* out);

 private:
  friend class FinishOrder;
  PoolCore& core() const;
  PoolCore* core_ = nullptr;
  PoolCore::Handle handle_{};
};

//! The untyped part of strain::AsCompleted: the futures left to yield.
class FinishOrder {
 public:
  //! Adds the next future (an empty one is skipped); std::invalid_argument
  //! if it comes from another pool.
  void add(const FutureBase& f);
  //! Waits for the next future to finish; its index, SIZE_MAX once none is left.
  std::size_t next();

 private:
  std::vector<PoolCore::Handle> handles_;
  std::vector<std::uint8_t> taken_;  // 1: yielded already, or empty
  PoolCore* core_ = nullptr;
  std::size_t left_ = 0;
};

}  // namespace detail
}  // namespace strain
