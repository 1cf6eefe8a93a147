#pragma once
// The engine under strain::ProcessPool (strain/process_pool.hpp declares
// detail::PoolCore and the typed pool): the shared region, the forked
// workers, the slots. The caller's side (submit, wait, take, the layout of
// the region) is in pool_engine.cpp, the workers' side (start, the task
// loop, reaping, stopping) in pool_workers.cpp. Compiled into
// strain_runtime; see docs/process-pool.md for the design and the rules of
// use.

#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/abi_types.hpp"
#include "runtime/raw_sync.hpp"
#include "strain/process_pool.hpp"

namespace strain::detail {

// The engine behind PoolCore: the shared region, the workers, the slots.
class PoolCore::Engine {
 public:
  Engine(const PoolOptions& options, std::size_t arg_size, std::size_t arg_align,
         std::size_t result_size, std::size_t result_align, RunFn run, const void* self);

  // Stops and reaps every worker; see ProcessPool::~ProcessPool.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  unsigned workers() const noexcept { return workers_; }
  std::size_t max_pending() const noexcept { return capacity_; }

  // The workers' process ids, in start order.
  std::vector<pid_t> pids() const;

  // Queues a task whose argument is the `arg_size` bytes at `arg`.
  // Throws BrokenPool once the pool is broken, std::length_error when
  // max_pending futures are outstanding.
  Handle submit(const void* arg);

  // True once the task has finished, well or not.
  bool ready(Handle h);

  // Waits until the task has finished or `deadline` (CLOCK_MONOTONIC)
  // passed; null waits without end. True if it finished.
  bool wait(Handle h, const timespec* deadline);

  // Waits for the task and copies its result's bytes to `out`, freeing the
  // slot; throws TaskError or BrokenPool if it failed.
  void take(Handle h, void* out);

  // Gives a task up: its slot is freed now if it finished, else by
  // whichever worker finishes it. Never throws.
  void drop(Handle h) noexcept;

  // Waits until one of `handles` whose `taken[k]` is 0 has finished
  // and returns the index of the one that finished first.
  std::size_t wait_first(std::span<const Handle> handles, std::span<const std::uint8_t> taken);

 private:
  enum class State : std::uint32_t { free, queued, running, done, raised, lost };

  struct Control {
    RawMutex m;
    RawCond work;                        // workers wait here: a task was queued, or shutdown
    RawCond done;                        // callers wait here: a task finished, or the pool broke
    std::uint32_t head = 0, queued = 0;  // the ring of queued slots
    std::uint32_t next_free = 0, free_slots = 0;
    std::uint64_t tickets = 0;   // the last ticket handed out
    std::uint64_t finishes = 0;  // tasks finished so far: orders completions
    bool shutdown = false;
    bool broken = false;
    char why[256] = {};  // why the pool broke
  };
  struct Slot {
    State state = State::free;
    bool abandoned = false;  // its future was dropped; free it when finished
    std::uint64_t ticket = 0;
    std::uint64_t order = 0;  // Control::finishes when it finished
    char message[320] = {};   // why it failed
  };
  struct Worker {
    pid_t pid = 0;
    bool reaped = false;
    std::int64_t running = -1;  // the slot it runs, or -1
  };

  // Holds the control mutex. A worker killed while holding it leaves it
  // owned; the robust mutex then makes lock() throw OwnerDied after making
  // it usable again, and the pool is broken: what that worker was doing is
  // lost.
  //
  // While it is held the calling thread is hidden from the strategy: the
  // pool's mutex and condvars are shared with worker processes that no
  // strategy schedules, so under `controlled` a contended lock or a wait
  // parked in the scheduler would look like every role thread blocked (a
  // false deadlock) while a worker process is the one to make progress.
  // Hidden, the thread blocks in the kernel keeping its turn, and the
  // workers finish on their own; no schedule point happens inside, so no
  // role thread ever holds this mutex while parked.
  class Locked {
   public:
    explicit Locked(Engine& core) : m_(core.ctl_->m) {
      try {
        raw_lock(m_);
      } catch (const OwnerDied&) {
        raw_lock(m_);
        core.break_locked("a worker process died holding the pool's lock");
      }
    }
    ~Locked() { raw_unlock(m_); }
    Locked(const Locked&) = delete;
    Locked& operator=(const Locked&) = delete;

   private:
    // Constructed before the lock is taken and destroyed after it is given
    // back (members outlive the destructor's body).
    struct Unscheduled {
      Context* saved = tls_context;
      Unscheduled() noexcept { tls_context = nullptr; }
      ~Unscheduled() { tls_context = saved; }
      Unscheduled(const Unscheduled&) = delete;
      Unscheduled& operator=(const Unscheduled&) = delete;
    } hidden_;
    RawMutex& m_;
  };

  static constexpr std::size_t align_up(std::size_t n, std::size_t a) {
    return (n + a - 1) / a * a;
  }

  void layout(std::size_t arg_align, std::size_t result_align);

  std::uint32_t* ring() const { return reinterpret_cast<std::uint32_t*>(base_ + ring_at_); }
  Worker* worker(unsigned w) const {
    return std::launder(reinterpret_cast<Worker*>(base_ + workers_at_) + w);
  }
  Slot* slot(std::uint32_t s) const {
    return std::launder(reinterpret_cast<Slot*>(base_ + slots_at_ + stride_ * s));
  }
  std::byte* arg_of(std::uint32_t s) const { return base_ + slots_at_ + stride_ * s + arg_at_; }
  std::byte* result_of(std::uint32_t s) const {
    return base_ + slots_at_ + stride_ * s + result_at_;
  }

  static bool finished(const Slot& sl) {
    return sl.state == State::done || sl.state == State::raised || sl.state == State::lost;
  }

  void check_owner() const {
    if (::getpid() != owner_)
      throw std::logic_error(
          "a ProcessPool can only be used by the process that made it (its workers are that "
          "process's children)");
  }

  // The slot of a live handle; a stale or foreign one is a caller bug.
  Slot& own(Handle h) const {
    if (h.slot >= capacity_ || slot(h.slot)->ticket != h.ticket ||
        slot(h.slot)->state == State::free)
      throw std::logic_error("ProcessPool: the future is not valid (already collected?)");
    return *slot(h.slot);
  }

  void release(std::uint32_t s) {
    slot(s)->state = State::free;
    ++ctl_->free_slots;
  }

  // Waits on `done` for up to 10 ms (less if `deadline` comes first), so
  // the caller looks for dead workers between slices. Returns false once
  // the deadline has passed.
  bool wait_slice(const timespec* deadline);

  // Copies `text` into the fixed buffer `dst` of `cap` bytes, cut and terminated.
  static void copy_text(char* dst, std::size_t cap, const std::string& text);
  // How a worker ended, from its wait status ("was killed by signal SIGKILL (Killed)").
  static std::string describe_exit(int status);

  // Marks the pool broken: every queued or running task is lost with
  // `why`, and so is every later submit. Callers are woken.
  void break_locked(const std::string& why);

  // Reaps workers that died. Outside shutdown any death breaks the pool;
  // the task the worker was running names it.
  void reap_locked();

  // Forks the workers; on a failed fork stops those started and throws.
  void start_workers();
  // A worker's life: takes queued tasks and runs them until shutdown, its
  // owner's death or a broken pool.
  [[noreturn]] void worker_main(unsigned w, pid_t parent) noexcept;
  // Shuts the workers down (killing one still running a dropped task) and
  // reaps them, giving each at most 2 s.
  void stop_workers() noexcept;

  unsigned workers_ = 0;
  std::uint32_t capacity_ = 0;
  RunFn run_ = nullptr;
  const void* self_ = nullptr;
  std::size_t arg_size_ = 0, result_size_ = 0;
  std::size_t ring_at_ = 0, workers_at_ = 0, slots_at_ = 0;
  std::size_t arg_at_ = 0, result_at_ = 0, stride_ = 0, bytes_ = 0;
  std::byte* base_ = nullptr;
  Control* ctl_ = nullptr;
  pid_t owner_ = 0;
};

}  // namespace strain::detail
