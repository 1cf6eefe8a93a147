#pragma once
// The untyped part of strain::ProcessPool (strain/process_pool.hpp, which is
// what scenarios include): its errors and options, and detail::PoolCore,
// whose engine (the shared region, the forked workers) is compiled into the
// strain_runtime library.

#include <sys/types.h>
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

namespace strain {

//! The base of the errors a pool reports for a task.
class PoolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! A task threw in its worker; what() holds the worker's pid and the
//! exception's what(). The pool stays usable.
class TaskError : public PoolError {
 public:
  using PoolError::PoolError;
};

//! A worker process died (killed by a signal, or exited): the task it ran
//! and every task queued or submitted afterwards fail with this error, which
//! names the process and how it ended, like ProcessPoolExecutor's
//! BrokenProcessPool.
class BrokenPool : public PoolError {
 public:
  using PoolError::PoolError;
};

//! How a ProcessPool is sized.
struct PoolOptions {
  //! Worker processes; 0 means one per CPU, as ProcessPoolExecutor() and
  //! Pool() use os.cpu_count().
  unsigned workers = 0;
  //! How many futures may be outstanding at once (submitted and not yet
  //! collected or dropped): the shared region holds one slot for each.
  std::size_t max_pending = 256;
};

namespace detail {

//! The untyped part of a ProcessPool: it carries arguments and results as
//! bytes. Internal; scenarios use ProcessPool and Future.
class PoolCore {
 public:
  //! Runs the pool's function of `self` on the bytes of an argument, writing
  //! the bytes of the result; throws what the function throws.
  using RunFn = void (*)(const void* self, const std::byte* arg, std::byte* result);

  //! A submitted task: its slot and the ticket that tells this use of the
  //! slot from earlier ones.
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

  //! How many worker processes run.
  unsigned workers() const noexcept;
  //! How many futures may be outstanding.
  std::size_t max_pending() const noexcept;
  //! The workers' process ids, in start order.
  std::vector<pid_t> pids() const;
  //! Queues a task whose argument is the bytes at `arg`; throws BrokenPool
  //! or std::length_error (max_pending futures outstanding).
  Handle submit(const void* arg);
  //! True once the task has finished, well or not.
  bool ready(Handle h);
  //! Waits until the task finished or the CLOCK_MONOTONIC `deadline`
  //! passed (null: no end); true if it finished.
  bool wait(Handle h, const timespec* deadline);
  //! Waits for the task, copies its result's bytes to `out` and frees the
  //! slot; throws TaskError or BrokenPool if it failed.
  void take(Handle h, void* out);
  //! Gives a task up; its slot is freed when it finishes. Never throws.
  void drop(Handle h) noexcept;
  //! Waits until one of `handles` whose `taken[k]` is 0 has finished and
  //! returns the index of the one that finished first.
  std::size_t wait_first(std::span<const Handle> handles, std::span<const std::uint8_t> taken);

 private:
  class Engine;
  std::unique_ptr<Engine> e_;
};

}  // namespace detail
}  // namespace strain
