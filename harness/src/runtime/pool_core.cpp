// The engine under strain::ProcessPool (strain/process_pool.hpp declares
// detail::PoolCore and the typed pool): the shared region, the
// forked workers, the slots. Compiled into strain_runtime; see
// docs/process-pool.md for the design and the rules of use.

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/abi_types.hpp"
#include "runtime/raw_sync.hpp"
#include "runtime/tsan_build.hpp"
#include "strain/process_pool.hpp"

namespace strain::detail {

// The engine behind PoolCore: the shared region, the workers, the slots.
class PoolCore::Engine {
 public:
  Engine(const PoolOptions& options, std::size_t arg_size, std::size_t arg_align,
         std::size_t result_size, std::size_t result_align, RunFn run, const void* self) {
    workers_ = options.workers != 0 ? options.workers : std::thread::hardware_concurrency();
    if (workers_ == 0) workers_ = 1;
    if (options.max_pending == 0 || options.max_pending > 1'000'000)
      throw std::invalid_argument("PoolOptions::max_pending must be in [1, 1000000]");
    capacity_ = static_cast<std::uint32_t>(options.max_pending);
    run_ = run;
    self_ = self;
    arg_size_ = arg_size;
    result_size_ = result_size;
    layout(arg_align, result_align);
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      throw std::system_error(errno, std::generic_category(), "ProcessPool: mmap");
    base_ = static_cast<std::byte*>(p);
    // The control block and the slots are the only objects in the region;
    // the ring, worker records and argument/result bytes are plain data.
    try {
      ctl_ = ::new (base_) Control();
    } catch (...) {
      ::munmap(base_, bytes_);
      throw;
    }
    ctl_->free_slots = capacity_;
    for (std::uint32_t s = 0; s < capacity_; ++s) ::new (slot(s)) Slot();
    for (unsigned w = 0; w < workers_; ++w) ::new (worker(w)) Worker();
    owner_ = ::getpid();
    start_workers();
  }

  // Stops and reaps every worker; see ProcessPool::~ProcessPool.
  ~Engine() {
    if (base_ == nullptr) return;
    if (::getpid() == owner_) stop_workers();
    // No destructors for the region's objects: a worker killed inside the
    // short critical section may have left the robust mutex owned, and
    // destroying an owned mutex is undefined. Unmapping is enough; a
    // process-shared glibc mutex or condvar owns nothing else.
    ::munmap(base_, bytes_);
  }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  unsigned workers() const noexcept { return workers_; }
  std::size_t max_pending() const noexcept { return capacity_; }

  // The workers' process ids, in start order.
  std::vector<pid_t> pids() const {
    std::vector<pid_t> out;
    for (unsigned w = 0; w < workers_; ++w) out.push_back(worker(w)->pid);
    return out;
  }

  // Queues a task whose argument is the `arg_size` bytes at `arg`.
  // Throws BrokenPool once the pool is broken, std::length_error when
  // max_pending futures are outstanding.
  Handle submit(const void* arg) {
    check_owner();
    Locked lock(*this);
    reap_locked();
    if (ctl_->broken) throw BrokenPool(ctl_->why);
    if (ctl_->free_slots == 0)
      throw std::length_error("ProcessPool: " + std::to_string(capacity_) +
                              " futures are outstanding (PoolOptions::max_pending); collect or "
                              "drop some before submitting more");
    std::uint32_t s = ctl_->next_free;
    while (slot(s)->state != State::free) s = (s + 1) % capacity_;
    ctl_->next_free = (s + 1) % capacity_;
    --ctl_->free_slots;
    Slot& sl = *slot(s);
    sl.state = State::queued;
    sl.abandoned = false;
    sl.ticket = ++ctl_->tickets;
    sl.message[0] = '\0';
    std::memcpy(arg_of(s), arg, arg_size_);
    ring()[(ctl_->head + ctl_->queued) % capacity_] = s;
    ++ctl_->queued;
    raw_signal(ctl_->work);
    return {s, sl.ticket};
  }

  // True once the task has finished, well or not.
  bool ready(Handle h) {
    check_owner();
    Locked lock(*this);
    reap_locked();
    return finished(own(h));
  }

  // Waits until the task has finished or `deadline` (CLOCK_MONOTONIC)
  // passed; null waits without end. True if it finished.
  bool wait(Handle h, const timespec* deadline) {
    check_owner();
    Locked lock(*this);
    for (;;) {
      reap_locked();
      if (finished(own(h))) return true;
      if (!wait_slice(deadline)) return finished(own(h));
    }
  }

  // Waits for the task and copies its result's bytes to `out`, freeing the
  // slot; throws TaskError or BrokenPool if it failed.
  void take(Handle h, void* out) {
    check_owner();
    Locked lock(*this);
    for (;;) {
      reap_locked();
      if (finished(own(h))) break;
      (void)wait_slice(nullptr);
    }
    Slot& sl = *slot(h.slot);
    const State state = sl.state;
    const std::string message = sl.message;
    if (state == State::done) std::memcpy(out, result_of(h.slot), result_size_);
    release(h.slot);
    if (state == State::raised) throw TaskError(message);
    if (state == State::lost) throw BrokenPool(message);
  }

  // Gives a task up: its slot is freed now if it finished, else by
  // whichever worker finishes it. Never throws.
  void drop(Handle h) noexcept {
    if (::getpid() != owner_) return;
    try {
      Locked lock(*this);
      Slot& sl = *slot(h.slot);
      if (sl.ticket != h.ticket) return;
      if (finished(sl))
        release(h.slot);
      else
        sl.abandoned = true;
    } catch (...) {
      // Only a dead lock owner can make locking throw; the destructor
      // reclaims everything anyway.
    }
  }

  // Waits until one of `handles` whose `taken[k]` is 0 has finished
  // and returns the index of the one that finished first.
  std::size_t wait_first(std::span<const Handle> handles, std::span<const std::uint8_t> taken) {
    check_owner();
    Locked lock(*this);
    for (;;) {
      reap_locked();
      std::size_t best = handles.size();
      std::uint64_t best_order = 0;
      for (std::size_t k = 0; k < handles.size(); ++k) {
        if (taken[k] != 0) continue;
        const Slot& sl = own(handles[k]);
        if (!finished(sl)) continue;
        if (best == handles.size() || sl.order < best_order) {
          best = k;
          best_order = sl.order;
        }
      }
      if (best != handles.size()) return best;
      (void)wait_slice(nullptr);
    }
  }

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

  void layout(std::size_t arg_align, std::size_t result_align) {
    std::size_t at = align_up(sizeof(Control), alignof(std::uint32_t));
    ring_at_ = at;
    at += sizeof(std::uint32_t) * capacity_;
    at = align_up(at, alignof(Worker));
    workers_at_ = at;
    at += sizeof(Worker) * workers_;
    const std::size_t a = std::max({alignof(Slot), arg_align, result_align, std::size_t{64}});
    at = align_up(at, a);
    slots_at_ = at;
    arg_at_ = align_up(sizeof(Slot), arg_align);
    result_at_ = align_up(arg_at_ + arg_size_, result_align);
    stride_ = align_up(result_at_ + result_size_, a);
    bytes_ = slots_at_ + stride_ * capacity_;
  }

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
  bool wait_slice(const timespec* deadline) {
    timespec until = deadline_after(std::chrono::milliseconds(10));
    if (deadline != nullptr) {
      timespec now;
      ::clock_gettime(CLOCK_MONOTONIC, &now);
      if (now.tv_sec > deadline->tv_sec ||
          (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec))
        return false;
      if (deadline->tv_sec < until.tv_sec ||
          (deadline->tv_sec == until.tv_sec && deadline->tv_nsec < until.tv_nsec))
        until = *deadline;
    }
    (void)raw_wait_until(ctl_->done, ctl_->m, until);
    return true;
  }

  static void copy_text(char* dst, std::size_t cap, const std::string& text) {
    const std::size_t n = std::min(text.size(), cap - 1);
    std::memcpy(dst, text.data(), n);
    dst[n] = '\0';
  }

  static std::string describe_exit(int status) {
    if (WIFSIGNALED(status)) {
      const int sig = WTERMSIG(status);
      const char* abbrev = ::sigabbrev_np(sig);
      const char* text = ::strsignal(sig);
      return "was killed by signal SIG" + std::string(abbrev != nullptr ? abbrev : "?") + " (" +
             (text != nullptr ? text : "?") + ")";
    }
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    return "ended";
  }

  // Marks the pool broken: every queued or running task is lost with
  // `why`, and so is every later submit. Callers are woken.
  void break_locked(const std::string& why) {
    if (!ctl_->broken) {
      ctl_->broken = true;
      copy_text(ctl_->why, sizeof ctl_->why, why);
    }
    for (std::uint32_t s = 0; s < capacity_; ++s) {
      Slot& sl = *slot(s);
      if (sl.state != State::queued && sl.state != State::running) continue;
      sl.state = State::lost;
      sl.order = ++ctl_->finishes;
      if (sl.message[0] == '\0') copy_text(sl.message, sizeof sl.message, ctl_->why);
      if (sl.abandoned) release(s);
    }
    ctl_->queued = 0;
    raw_broadcast(ctl_->done);
  }

  // Reaps workers that died. Outside shutdown any death breaks the pool;
  // the task the worker was running names it.
  void reap_locked() {
    for (unsigned w = 0; w < workers_; ++w) {
      Worker& wk = *worker(w);
      if (wk.reaped) continue;
      int status = 0;
      const pid_t r = ::waitpid(wk.pid, &status, WNOHANG);
      if (r == 0 || (r < 0 && errno == EINTR)) continue;
      wk.reaped = true;
      if (ctl_->shutdown) continue;
      // ECHILD: someone else reaped it (SIGCHLD ignored?); it is gone either way.
      const std::string how = r < 0 ? "ended (its exit status was lost)" : describe_exit(status);
      const std::string who = "worker process (pid " + std::to_string(wk.pid) + ") " + how;
      if (wk.running >= 0) {
        Slot& sl = *slot(static_cast<std::uint32_t>(wk.running));
        std::string what = who + " while running this task";
#ifdef STRAIN_TSAN_BUILD
        // ThreadSanitizer ends a child of a multithreaded fork that starts a
        // thread (die_after_fork) with an exit, not a signal; its own message
        // is in the output, but the caller should not have to guess.
        if (r > 0 && WIFEXITED(status))
          what +=
              "; under ThreadSanitizer a task that starts a thread ends its worker so "
              "(die_after_fork): tasks must not start threads";
#endif
        copy_text(sl.message, sizeof sl.message, what);
        wk.running = -1;
      }
      break_locked("the process pool is broken: " + who +
                   "; tasks that were queued or running will not complete");
    }
  }

  void start_workers() {
    const pid_t parent = ::getpid();
    for (unsigned w = 0; w < workers_; ++w) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        // Dies with the thread that made the pool, so that a crashed or
        // abandoned role leaves no worker behind (nor its inherited pipes).
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(0);
        worker_main(w, parent);
      }
      if (pid < 0) {
        const int err = errno;
        stop_workers();
        ::munmap(base_, bytes_);
        base_ = nullptr;
        throw std::system_error(err, std::generic_category(), "ProcessPool: fork");
      }
      worker(w)->pid = pid;
    }
  }

  [[noreturn]] void worker_main(unsigned w, pid_t parent) noexcept {
    // The forking thread's context came along: a task's sync primitives
    // must not call into a strategy that runs in another process.
    tls_context = nullptr;
    Worker& me = *worker(w);
    try {
      for (;;) {
        std::uint32_t s = 0;
        bool quit = false;
        {
          Locked lock(*this);
          while (ctl_->queued == 0 && !ctl_->shutdown && !ctl_->broken && !quit) {
            (void)raw_wait_until(ctl_->work, ctl_->m,
                                 deadline_after(std::chrono::milliseconds(100)));
            // An orphan (its owner is gone but PR_SET_PDEATHSIG did not
            // fire) exits too.
            quit = ::getppid() != parent;
          }
          quit = quit || ctl_->shutdown || ctl_->broken;
          if (!quit) {
            s = ring()[ctl_->head];
            ctl_->head = (ctl_->head + 1) % capacity_;
            --ctl_->queued;
            slot(s)->state = State::running;
            me.running = s;
          }
        }
        // Exits only with the lock released: a robust mutex left owned by
        // a dead process would make the next locker think it crashed.
        if (quit) ::_exit(0);
        State end = State::done;
        std::string what;
        try {
          run_(self_, arg_of(s), result_of(s));
        } catch (const std::exception& e) {
          end = State::raised;
          what = e.what();
        } catch (...) {
          end = State::raised;
          what = "unknown exception";
        }
        Locked lock(*this);
        me.running = -1;
        Slot& sl = *slot(s);
        if (sl.state != State::running) continue;  // lost meanwhile: the pool broke
        sl.state = end;
        sl.order = ++ctl_->finishes;
        if (end == State::raised)
          copy_text(
              sl.message, sizeof sl.message,
              "task raised in worker process (pid " + std::to_string(::getpid()) + "): " + what);
        if (sl.abandoned) release(s);
        raw_broadcast(ctl_->done);
      }
    } catch (...) {
      // Only the pool's own bookkeeping can get here (a broken lock); the
      // owner sees this worker's death.
    }
    ::_exit(3);
  }

  void stop_workers() noexcept {
    std::vector<bool> running(workers_, false);
    try {
      Locked lock(*this);
      ctl_->shutdown = true;
      raw_broadcast(ctl_->work);
      for (unsigned w = 0; w < workers_; ++w) running[w] = worker(w)->running >= 0;
    } catch (...) {
    }
    // A worker still running a task runs it for nobody (its future was
    // dropped): kill it rather than wait. Idle ones exit on their own.
    for (unsigned w = 0; w < workers_; ++w)
      if (running[w] && worker(w)->pid > 0 && !worker(w)->reaped) ::kill(worker(w)->pid, SIGKILL);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    for (unsigned w = 0; w < workers_; ++w) {
      Worker& wk = *worker(w);
      if (wk.pid <= 0 || wk.reaped) continue;
      int status = 0;
      for (;;) {
        const pid_t r = ::waitpid(wk.pid, &status, WNOHANG);
        if (r != 0 && !(r < 0 && errno == EINTR)) break;
        if (std::chrono::steady_clock::now() > until) {
          ::kill(wk.pid, SIGKILL);
          while (::waitpid(wk.pid, &status, 0) < 0 && errno == EINTR) {
          }
          break;
        }
        timespec nap{0, 200'000};
        ::nanosleep(&nap, nullptr);
      }
      wk.reaped = true;
    }
  }

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

PoolCore::PoolCore(const PoolOptions& options, std::size_t arg_size, std::size_t arg_align,
                   std::size_t result_size, std::size_t result_align, RunFn run, const void* self)
    : e_(std::make_unique<Engine>(options, arg_size, arg_align, result_size, result_align, run,
                                  self)) {}
PoolCore::~PoolCore() = default;
unsigned PoolCore::workers() const noexcept { return e_->workers(); }
std::size_t PoolCore::max_pending() const noexcept { return e_->max_pending(); }
std::vector<pid_t> PoolCore::pids() const { return e_->pids(); }
PoolCore::Handle PoolCore::submit(const void* arg) { return e_->submit(arg); }

}  // namespace strain::detail

namespace strain::detail {

FutureBase::FutureBase(FutureBase&& other) noexcept
    : core_(std::exchange(other.core_, nullptr)), handle_(other.handle_) {}

FutureBase& FutureBase::operator=(FutureBase&& other) noexcept {
  if (this != &other) {
    if (core_ != nullptr) core_->e_->drop(handle_);
    core_ = std::exchange(other.core_, nullptr);
    handle_ = other.handle_;
  }
  return *this;
}

FutureBase::~FutureBase() {
  if (core_ != nullptr) core_->e_->drop(handle_);
}

PoolCore& FutureBase::core() const {
  if (core_ == nullptr) throw std::logic_error("strain::Future: empty (already collected?)");
  return *core_;
}

bool FutureBase::ready() const { return core().e_->ready(handle_); }
void FutureBase::wait() const { (void)core().e_->wait(handle_, nullptr); }
bool FutureBase::wait_for(std::chrono::duration<double> timeout) const {
  const timespec deadline = deadline_after_seconds(timeout.count());
  return core().e_->wait(handle_, &deadline);
}

void FutureBase::take(void* out) {
  PoolCore& c = core();
  core_ = nullptr;
  c.e_->take(handle_, out);
}

void FinishOrder::add(const FutureBase& f) {
  handles_.push_back(f.handle_);
  taken_.push_back(f.valid() ? 0 : 1);
  if (!f.valid()) return;
  if (core_ == nullptr) core_ = f.core_;
  if (f.core_ != core_)
    throw std::invalid_argument("strain::as_completed: the futures come from different pools");
  ++left_;
}

std::size_t FinishOrder::next() {
  if (left_ == 0) return SIZE_MAX;
  const std::size_t k = core_->e_->wait_first(handles_, taken_);
  taken_[k] = 1;
  --left_;
  return k;
}

}  // namespace strain::detail
