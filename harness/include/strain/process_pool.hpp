#pragma once
// strain::ProcessPool: the C++ stand-in for Python's multiprocessing.Pool.map and
// concurrent.futures.ProcessPoolExecutor (submit, futures, as_completed). The rules
// (docs/process-pool.md has the why of each):
//  - Workers are fork()ed when the pool is made and run the function on a copy of the memory of
//    that moment; Arg and Result must be trivially copyable (bytes through one MAP_SHARED region).
//  - Use the pool from the process and within the lifetime of the thread that made it; in the
//    process topology make it inside the role.
//  - Tasks must not start threads nor use the Context. Waits on the pool are not schedule points:
//    workers are processes no strategy steers.
//  - A task that throws fails alone (TaskError); a worker that dies breaks the pool (BrokenPool).
//  - The destructor stops and reaps every worker (killing one that runs a dropped task); futures
//    must not be used after it.

#include <sys/types.h>

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace strain {

//! The base of the errors a pool reports for a task.
struct PoolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

//! A task threw in its worker (what() names the pid and the exception's what()); the pool stays
//! usable.
struct TaskError : PoolError {
  using PoolError::PoolError;
};

//! A worker process died (BrokenProcessPool): the task it ran and every task queued or submitted
//! afterwards fail with this, naming the process and how.
struct BrokenPool : PoolError {
  using PoolError::PoolError;
};

//! How a ProcessPool is sized.
struct PoolOptions {
  //! Worker processes; 0 means one per CPU (os.cpu_count()).
  unsigned workers = 0;
  //! How many futures may be outstanding (submitted, not collected or dropped): the shared region
  //! holds one slot for each.
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
  //! True once the task has finished (Future.done()); never blocks. On an empty future it throws
  //! std::logic_error, as wait() and get() do.
  bool ready() const;
  //! Blocks until the task has finished.
  void wait() const;
  //! Blocks until the task has finished or `timeout` has passed; true if it finished.
  bool wait_for(std::chrono::duration<double> timeout) const;

 protected:
  FutureBase() = default;
  FutureBase(PoolCore* core, PoolCore::Handle h) noexcept : core_(core), handle_(h) {}
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
  //! Adds the next future (an empty one is skipped); std::invalid_argument if it comes from another
  //! pool.
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

//! The result of a task submitted to a ProcessPool, to be collected once
//! (concurrent.futures.Future); move-only. valid(), ready(), wait() and wait_for() are
//! detail::FutureBase's.
template <class Result>
class Future : public detail::FutureBase {
 public:
  //! An empty future, holding no task.
  Future() = default;

  //! Blocks until the task has finished and returns its result (Future.result()); throws TaskError
  //! if the task threw, BrokenPool if a worker died. Either way the future is empty afterwards.
  Result get() {
    std::array<std::byte, sizeof(Result)> bytes;
    take(bytes.data());
    return std::bit_cast<Result>(bytes);
  }

 private:
  template <class A, class R>
  friend class ProcessPool;
  Future(detail::PoolCore* core, detail::PoolCore::Handle h) noexcept : FutureBase(core, h) {}
};

//! A process pool running `Result fn(const Arg&)` in forked worker processes (Pool.map,
//! ProcessPoolExecutor); the rules are at the top.
template <class Arg, class Result>
class ProcessPool {
  static_assert(std::is_trivially_copyable_v<Arg> && std::is_trivially_copyable_v<Result>,
                "strain::ProcessPool carries arguments and results between processes as their "
                "bytes in shared memory: Arg and Result must be trivially copyable (no "
                "std::string, std::vector or pointers into one process's heap; use fixed arrays)");
  static_assert(!std::is_reference_v<Arg> && !std::is_reference_v<Result> &&
                    !std::is_const_v<Arg> && !std::is_const_v<Result>,
                "strain::ProcessPool<Arg, Result> takes plain value types");

 public:
  //! The function every task runs, in a worker process.
  using Function = std::function<Result(const Arg&)>;

  //! Forks the workers now, on a copy of this process's memory. Throws std::system_error (fork,
  //! mmap) or std::invalid_argument (options).
  explicit ProcessPool(Function fn, PoolOptions options = {})
      : fn_(std::move(fn)),
        core_(options, sizeof(Arg), alignof(Arg), sizeof(Result), alignof(Result), &run, this) {}

  //! How many worker processes the pool runs.
  unsigned workers() const noexcept { return core_.workers(); }
  //! The workers' process ids, in start order.
  std::vector<pid_t> pids() const { return core_.pids(); }

  //! Queues fn(arg) and returns its future (ProcessPoolExecutor.submit); BrokenPool once a worker
  //! died, std::length_error past max_pending.
  Future<Result> submit(const Arg& arg) { return {&core_, core_.submit(&arg)}; }

  //! fn of every argument (a vector, an array...), in argument order (Pool.map), at most
  //! max_pending in flight; throws the error of the first task that failed.
  std::vector<Result> map(std::span<const Arg> args) {
    std::vector<Result> results;
    results.reserve(args.size());
    std::vector<Future<Result>> window;
    const std::size_t width = core_.max_pending();
    std::size_t next = 0;
    for (std::size_t k = 0; k < args.size(); ++k) {
      while (next < args.size() && next - k < width) window.push_back(submit(args[next++]));
      results.push_back(window[k].get());
    }
    return results;
  }

 private:
  static void run(const void* self, const std::byte* arg, std::byte* result) {
    std::array<std::byte, sizeof(Arg)> in;
    std::memcpy(in.data(), arg, sizeof(Arg));
    const Result r = static_cast<const ProcessPool*>(self)->fn_(std::bit_cast<Arg>(in));
    std::memcpy(result, &r, sizeof(Result));
  }

  Function fn_;
  detail::PoolCore core_;
};

//! Deduces ProcessPool<Arg, Result> from a function pointer.
template <class A, class R>
ProcessPool(R (*)(A), PoolOptions = {}) -> ProcessPool<std::remove_cvref_t<A>, R>;

//! The futures of one pool in the order their tasks finish (as_completed); each is yielded once,
//! still holding its result for get().
template <class Result>
class AsCompleted {
 public:
  //! Iterates `futures` (which must not move meanwhile), skipping empty ones; std::invalid_argument
  //! if they come from different pools.
  explicit AsCompleted(std::span<Future<Result>> futures) : futures_(futures) {
    for (const auto& f : futures) order_.add(f);
  }

  //! An input iterator over the futures in finishing order; ++ waits for the next.
  class iterator {
   public:
    using value_type = Future<Result>;
    using difference_type = std::ptrdiff_t;
    Future<Result>& operator*() const { return *owner->current_; }
    Future<Result>* operator->() const { return owner->current_; }
    iterator& operator++() { return owner->advance(), *this; }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return owner->current_ == nullptr; }
    AsCompleted* owner = nullptr;  //!< The iteration it walks.
  };

  //! Waits for the first future to finish.
  iterator begin() { return advance(), iterator{this}; }
  //! The end of the iteration.
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  void advance() {
    const std::size_t k = order_.next();
    current_ = k < futures_.size() ? &futures_[k] : nullptr;
  }

  std::span<Future<Result>> futures_;
  Future<Result>* current_ = nullptr;
  detail::FinishOrder order_;
};

//! Iterates `futures` (a vector or array of one pool's futures) in the order they finish: `for
//! (auto& f : strain::as_completed(futures)) use(f.get());`
template <class Futures>
auto as_completed(Futures& futures) {
  return AsCompleted(std::span(futures));
}

}  // namespace strain
