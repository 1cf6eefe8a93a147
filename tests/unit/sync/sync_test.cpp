// The sync primitives between threads and between forked processes sharing a
// MAP_SHARED mapping, and their schedule points.

#include "strain/sync.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;

// A T constructed in an anonymous MAP_SHARED mapping, so the children forked
// after construction share it with the parent at the same address.
template <class T>
class Shared {
 public:
  template <class... Args>
  explicit Shared(Args&&... args) {
    void* p = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    obj_ = ::new (p) T(std::forward<Args>(args)...);
  }
  ~Shared() {
    obj_->~T();
    munmap(obj_, sizeof(T));
  }
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  T& operator*() const { return *obj_; }
  T* operator->() const { return obj_; }

 private:
  T* obj_ = nullptr;
};

// Forks a child that runs `body` (returning 0 on success) and _exits with its
// result, so it never returns into gtest. alarm() ends a child stuck on a bug.
template <class F>
pid_t spawn(F body) {
  const pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    alarm(20);
    int rc = 0;
    try {
      rc = body();
    } catch (...) {
      rc = 99;
    }
    _exit(rc);
  }
  return pid;
}

// Waits for `pids` until a deadline, then kills the rest. Returns each
// child's exit code, or 128 + signal for one that was killed.
std::vector<int> reap(const std::vector<pid_t>& pids) {
  std::vector<int> codes(pids.size(), -1);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::size_t left = pids.size();
  while (left > 0 && std::chrono::steady_clock::now() < deadline) {
    for (std::size_t k = 0; k < pids.size(); ++k) {
      if (codes[k] != -1) continue;
      int status = 0;
      if (waitpid(pids[k], &status, WNOHANG) != pids[k]) continue;
      codes[k] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      --left;
    }
    if (left > 0) std::this_thread::sleep_for(1ms);
  }
  for (std::size_t k = 0; k < pids.size(); ++k) {
    if (codes[k] != -1) continue;
    kill(pids[k], SIGKILL);
    waitpid(pids[k], nullptr, 0);
    codes[k] = 128 + SIGKILL;
  }
  return codes;
}

void expect_all_ok(const std::vector<int>& codes) {
  for (std::size_t k = 0; k < codes.size(); ++k) EXPECT_EQ(codes[k], 0) << "child " << k;
}

// A watchdog for the parent too: a blocking call that never returns kills the
// test binary with SIGALRM, so a bug fails the run instead of hanging it.
class Sync : public ::testing::Test {
 protected:
  void SetUp() override { alarm(60); }
  void TearDown() override { alarm(0); }
};

// ---- Mutex ----------------------------------------------------------------

struct Counter {
  strain::Mutex m;
  std::int64_t value = 0;
};

TEST_F(Sync, MutexCountsExactlyAcrossThreads) {
  Counter c;
  std::vector<std::thread> team;
  for (int t = 0; t < 4; ++t) {
    team.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        std::lock_guard<strain::Mutex> guard(c.m);
        ++c.value;
      }
    });
  }
  for (auto& t : team) t.join();
  EXPECT_EQ(c.value, 40000);
}

TEST_F(Sync, MutexCountsExactlyAcrossProcesses) {
  Shared<Counter> c;
  std::vector<pid_t> pids;
  for (int p = 0; p < 4; ++p) {
    pids.push_back(spawn([&] {
      for (int i = 0; i < 10000; ++i) {
        std::lock_guard<strain::Mutex> guard(c->m);
        // A read, a pause and a write: without the lock, increments get lost.
        const std::int64_t v = c->value;
        if (i % 64 == 0) sched_yield();
        c->value = v + 1;
      }
      return 0;
    }));
  }
  expect_all_ok(reap(pids));
  EXPECT_EQ(c->value, 40000);
}

TEST_F(Sync, TryLockFailsWhileAnotherProcessHoldsTheMutex) {
  Shared<Counter> c;
  c->m.lock();
  const pid_t child = spawn([&] { return c->m.try_lock() ? 1 : 0; });
  expect_all_ok(reap({child}));
  c->m.unlock();
  ASSERT_TRUE(c->m.try_lock());
  c->m.unlock();
}

TEST_F(Sync, OwnerDyingInAProcessMakesLockThrowAndTheMutexRecovers) {
  Shared<Counter> c;
  const pid_t child = spawn([&] {
    c->m.lock();
    c->value = 1;
    _exit(0);  // Dies holding the lock.
    return 0;
  });
  expect_all_ok(reap({child}));

  try {
    c->m.lock();
    FAIL() << "lock() after the owner died did not throw";
  } catch (const strain::OwnerDied& e) {
    EXPECT_STREQ(e.what(), "a role died holding the mutex; its state may be inconsistent");
  }
  // OwnerDied left the mutex consistent and unlocked: usable by anyone.
  {
    std::lock_guard<strain::Mutex> guard(c->m);
    ++c->value;
  }
  const pid_t again = spawn([&] {
    std::lock_guard<strain::Mutex> guard(c->m);
    return c->value == 2 ? 0 : 1;
  });
  expect_all_ok(reap({again}));
  ASSERT_TRUE(c->m.try_lock());
  c->m.unlock();
}

TEST_F(Sync, OwnerDyingInAThreadMakesLockThrow) {
  strain::Mutex m;
  std::thread([&] { m.lock(); }).join();  // The thread ends holding the lock.
  EXPECT_THROW(m.lock(), strain::OwnerDied);
  EXPECT_TRUE(m.try_lock());
  m.unlock();
}

// ---- CondVar --------------------------------------------------------------

struct Flagged {
  strain::Mutex m;
  strain::CondVar cv;
  int stage = 0;
};

TEST_F(Sync, CondVarHandsOffBetweenProcesses) {
  Shared<Flagged> f;
  const pid_t child = spawn([&] {
    for (int round = 0; round < 200; ++round) {
      std::unique_lock<strain::Mutex> lock(f->m);
      f->cv.wait(lock, [&] { return f->stage == 2 * round + 1; });
      f->stage = 2 * round + 2;
      f->cv.notify_all();
    }
    return 0;
  });
  for (int round = 0; round < 200; ++round) {
    std::unique_lock<strain::Mutex> lock(f->m);
    f->stage = 2 * round + 1;
    f->cv.notify_all();
    ASSERT_TRUE(f->cv.wait_for(lock, 10s, [&] { return f->stage == 2 * round + 2; }));
  }
  expect_all_ok(reap({child}));
}

TEST_F(Sync, CondVarWaitForTimesOut) {
  strain::Mutex m;
  strain::CondVar cv;
  std::unique_lock<strain::Mutex> lock(m);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(cv.wait_for(lock, 20ms), std::cv_status::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 20ms);
  EXPECT_TRUE(lock.owns_lock());

  t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(cv.wait_for(lock, 20ms, [] { return false; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 20ms);
  EXPECT_EQ(cv.wait_for(lock, -5s), std::cv_status::timeout);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::hours::max(), [] { return true; }));
}

TEST_F(Sync, CondVarWaitForWakesOnNotify) {
  Flagged f;
  std::thread waker([&] {
    std::this_thread::sleep_for(5ms);
    std::lock_guard<strain::Mutex> guard(f.m);
    f.stage = 1;
    f.cv.notify_one();
  });
  std::unique_lock<strain::Mutex> lock(f.m);
  EXPECT_TRUE(f.cv.wait_for(lock, 10s, [&] { return f.stage == 1; }));
  lock.unlock();
  waker.join();
}

TEST_F(Sync, CondVarWaitThrowsOwnerDiedWhenTheNotifierDiesHoldingTheMutex) {
  Shared<Flagged> f;
  std::unique_lock<strain::Mutex> lock(f->m);
  // The child can only lock once the parent's wait releases the mutex.
  const pid_t child = spawn([&] {
    f->m.lock();
    f->stage = 1;
    f->cv.notify_all();
    _exit(0);  // Dies holding the lock the waiter must take back.
    return 0;
  });
  EXPECT_THROW(f->cv.wait(lock, [&] { return f->stage == 1; }), strain::OwnerDied);
  EXPECT_TRUE(lock.owns_lock());
  lock.unlock();
  expect_all_ok(reap({child}));
  ASSERT_TRUE(f->m.try_lock());
  f->m.unlock();
}

// ---- Semaphore ------------------------------------------------------------

struct Gate {
  strain::Semaphore sem{2};
  strain::Atomic<int> inside;
  strain::Atomic<int> most;
};

TEST_F(Sync, SemaphoreLimitsConcurrencyAcrossProcesses) {
  Shared<Gate> g;
  std::vector<pid_t> pids;
  for (int p = 0; p < 4; ++p) {
    pids.push_back(spawn([&] {
      for (int i = 0; i < 300; ++i) {
        g->sem.acquire();
        const int now = g->inside.fetch_add(1) + 1;
        int seen = g->most.load();
        while (now > seen && !g->most.compare_exchange_weak(seen, now)) {
        }
        sched_yield();
        g->inside.fetch_sub(1);
        g->sem.release();
      }
      return 0;
    }));
  }
  expect_all_ok(reap(pids));
  EXPECT_GE(g->most.load(), 1);
  EXPECT_LE(g->most.load(), 2);
  EXPECT_EQ(g->inside.load(), 0);
}

TEST_F(Sync, SemaphoreTryAcquireAndReleaseMany) {
  strain::Semaphore sem;
  EXPECT_FALSE(sem.try_acquire());
  sem.release(3);
  EXPECT_TRUE(sem.try_acquire());
  EXPECT_TRUE(sem.try_acquire());
  EXPECT_TRUE(sem.try_acquire());
  EXPECT_FALSE(sem.try_acquire());
  EXPECT_THROW(sem.release(-1), std::invalid_argument);
  EXPECT_THROW(strain::Semaphore(-1), std::invalid_argument);

  std::thread releaser([&] {
    std::this_thread::sleep_for(5ms);
    sem.release();
  });
  sem.acquire();  // Blocks until the release.
  releaser.join();
}

// ---- Barrier --------------------------------------------------------------

struct Rounds {
  strain::Barrier barrier{3};
  int slot[3] = {-1, -1, -1};
};

TEST_F(Sync, BarrierOfThreeProcessesIsReusableForAHundredRounds) {
  Shared<Rounds> r;
  std::vector<pid_t> pids;
  for (int p = 0; p < 3; ++p) {
    pids.push_back(spawn([&, p] {
      for (int round = 0; round < 100; ++round) {
        r->slot[p] = round;
        r->barrier.arrive_and_wait();
        // Everyone wrote this round's value before anyone got here...
        for (int q = 0; q < 3; ++q)
          if (r->slot[q] != round) return 1;
        // ...and nobody writes the next one before everyone has checked.
        r->barrier.arrive_and_wait();
      }
      return 0;
    }));
  }
  expect_all_ok(reap(pids));
}

TEST_F(Sync, BarrierNeedsAParty) {
  EXPECT_THROW(strain::Barrier(0), std::invalid_argument);
  strain::Barrier alone(1);
  alone.arrive_and_wait();  // A single party never waits.
}

// ---- Queue ----------------------------------------------------------------

TEST_F(Sync, QueueMovesItemsInOrderBetweenProcesses) {
  Shared<strain::Queue<int, 16>> q;
  const pid_t producer = spawn([&] {
    for (int i = 0; i < 10000; ++i) q->push(i);
    return 0;
  });
  const pid_t consumer = spawn([&] {
    for (int i = 0; i < 10000; ++i)
      if (q->pop() != i) return 1;
    return 0;
  });
  expect_all_ok(reap({producer, consumer}));
  EXPECT_EQ(q->size(), 0u);
}

struct Tagged {
  int producer;
  int seq;
};

struct ManyToMany {
  strain::Queue<Tagged, 8> q;
  strain::Atomic<std::int64_t> received;
  strain::Atomic<std::int64_t> sum;
};

TEST_F(Sync, QueueLosesNothingWithTwoProducersAndTwoConsumerProcesses) {
  Shared<ManyToMany> s;
  constexpr int kItems = 5000;
  std::vector<pid_t> producers, consumers;
  for (int p = 0; p < 2; ++p) {
    producers.push_back(spawn([&, p] {
      for (int i = 0; i < kItems; ++i) s->q.push(Tagged{p, i});
      return 0;
    }));
  }
  for (int c = 0; c < 2; ++c) {
    consumers.push_back(spawn([&] {
      // FIFO means each producer's items reach a consumer in increasing order.
      int last[2] = {-1, -1};
      while (auto item = s->q.pop_or_closed()) {
        if (item->seq <= last[item->producer]) return 1;
        last[item->producer] = item->seq;
        s->received.fetch_add(1);
        s->sum.fetch_add(item->seq);
      }
      return 0;
    }));
  }
  expect_all_ok(reap(producers));
  s->q.close();
  expect_all_ok(reap(consumers));
  EXPECT_EQ(s->received.load(), 2 * kItems);
  EXPECT_EQ(s->sum.load(), 2 * std::int64_t{kItems} * (kItems - 1) / 2);
}

TEST_F(Sync, QueueTryOperationsAndPopFor) {
  strain::Queue<int, 2> q;
  EXPECT_FALSE(q.try_pop().has_value());
  EXPECT_TRUE(q.try_push(1));
  EXPECT_TRUE(q.try_push(2));
  EXPECT_FALSE(q.try_push(3));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.try_pop(), 1);
  EXPECT_EQ(q.pop_for(1s), 2);

  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(q.pop_for(20ms).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 20ms);

  std::thread pusher([&] {
    std::this_thread::sleep_for(5ms);
    q.push(7);
  });
  EXPECT_EQ(q.pop_for(10s), 7);
  pusher.join();
}

TEST_F(Sync, QueueBlockedPushWaitsForRoom) {
  strain::Queue<int, 1> q;
  q.push(1);
  std::thread pusher([&] { q.push(2); });  // Blocks: the queue is full.
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(q.pop(), 1);
  EXPECT_EQ(q.pop(), 2);
  pusher.join();
}

TEST_F(Sync, QueueCloseSemantics) {
  strain::Queue<int, 4> q;
  q.push(1);
  q.push(2);
  EXPECT_FALSE(q.closed());
  q.close();
  EXPECT_TRUE(q.closed());
  EXPECT_THROW(q.push(3), strain::QueueClosed);
  EXPECT_THROW(q.try_push(3), strain::QueueClosed);
  // What was queued before close() is still delivered.
  EXPECT_EQ(q.pop_or_closed(), 1);
  EXPECT_EQ(q.pop(), 2);
  EXPECT_EQ(q.pop_or_closed(), std::nullopt);
  EXPECT_EQ(q.pop_for(1s), std::nullopt);
  EXPECT_EQ(q.try_pop(), std::nullopt);
  EXPECT_THROW(q.pop(), strain::QueueClosed);
}

TEST_F(Sync, QueueCloseWakesBlockedCallers) {
  strain::Queue<int, 1> empty;
  std::thread popper([&] { EXPECT_EQ(empty.pop_or_closed(), std::nullopt); });
  strain::Queue<int, 1> full;
  full.push(0);
  std::thread pusher([&] { EXPECT_THROW(full.push(1), strain::QueueClosed); });
  std::this_thread::sleep_for(5ms);
  empty.close();
  full.close();
  popper.join();
  pusher.join();
}

TEST_F(Sync, QueueJoinWaitsForTaskDoneAcrossThreads) {
  strain::Queue<int, 4> q;
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([&] {
      while (auto item = q.pop_or_closed()) {
        processed.fetch_add(1);
        q.task_done();
      }
    });
  }
  for (int i = 0; i < 100; ++i) q.push(i);
  q.join();
  EXPECT_EQ(processed.load(), 100);
  q.close();
  for (auto& w : workers) w.join();
  EXPECT_THROW(q.task_done(), std::logic_error);
}

struct Work {
  strain::Queue<int, 4> q;
  std::int64_t done_sum = 0;  // Written by the one worker before each task_done.
};

TEST_F(Sync, QueueJoinWaitsForTaskDoneAcrossProcesses) {
  Shared<Work> w;
  const pid_t worker = spawn([&] {
    while (auto item = w->q.pop_or_closed()) {
      w->done_sum += *item;
      w->q.task_done();
    }
    return 0;
  });
  for (int i = 1; i <= 1000; ++i) w->q.push(i);
  w->q.join();
  // join() returning means every task_done() happened, and with it each write.
  EXPECT_EQ(w->done_sum, 1000 * 1001 / 2);
  w->q.close();
  expect_all_ok(reap({worker}));
}

// ---- Atomic ---------------------------------------------------------------

struct Atomics {
  strain::Atomic<std::int64_t> added;
  strain::Atomic<std::int64_t> casd{0};
  strain::Atomic<std::uint32_t> last{7};
};

TEST_F(Sync, AtomicOperationsAcrossProcesses) {
  Shared<Atomics> a;
  std::vector<pid_t> pids;
  for (int p = 0; p < 4; ++p) {
    pids.push_back(spawn([&, p] {
      for (int i = 0; i < 10000; ++i) {
        a->added.fetch_add(2, std::memory_order_relaxed);
        a->added.fetch_sub(1, std::memory_order_relaxed);
        std::int64_t seen = a->casd.load(std::memory_order_relaxed);
        while (!a->casd.compare_exchange_weak(seen, seen + 1)) {
        }
      }
      a->last.exchange(static_cast<std::uint32_t>(p));
      return 0;
    }));
  }
  expect_all_ok(reap(pids));
  EXPECT_EQ(a->added.load(), 40000);
  EXPECT_EQ(a->casd.load(), 40000);
  EXPECT_LT(a->last.load(), 4u);
}

TEST_F(Sync, AtomicSingleThreaded) {
  strain::Atomic<int> a = 5;
  EXPECT_EQ(a.exchange(6), 5);
  a.store(8, std::memory_order_release);
  EXPECT_EQ(a.load(std::memory_order_acquire), 8);
  int expected = 1;
  EXPECT_FALSE(a.compare_exchange_strong(expected, 2));
  EXPECT_EQ(expected, 8);
  EXPECT_TRUE(a.compare_exchange_strong(expected, 2));
  EXPECT_EQ(a.fetch_sub(2), 2);
  EXPECT_EQ(a.load(), 0);
  strain::Atomic<bool> flag;
  EXPECT_FALSE(flag.load());
}

// ---- Schedule points ------------------------------------------------------

thread_local std::vector<std::string> g_points;
thread_local std::vector<std::pair<const void*, strain::detail::Access>> g_accesses;

void record_point(strain::Context&, const char* label, const void* object,
                  strain::detail::Access kind) noexcept {
  g_points.emplace_back(label);
  g_accesses.emplace_back(object, kind);
}

// Installs a context whose point_fn records labels on this thread.
class Points : public Sync {
 protected:
  void SetUp() override {
    Sync::SetUp();
    g_points.clear();
    g_accesses.clear();
    ctx_.d_.point_fn = &record_point;
    strain::detail::tls_context = &ctx_;
    // What the registration glue does for a role under a strategy with points.
    strain::detail::points_enabled.store(true);
  }
  void TearDown() override {
    strain::detail::tls_context = nullptr;
    Sync::TearDown();
  }
  // The labels recorded since the last call.
  std::vector<std::string> taken() { return std::exchange(g_points, {}); }

  strain::Context ctx_;
};

using Labels = std::vector<std::string>;

TEST_F(Points, MutexAndCondVar) {
  strain::Mutex m;
  strain::CondVar cv;
  m.lock();
  m.unlock();
  EXPECT_TRUE(m.try_lock());
  m.unlock();
  EXPECT_EQ(taken(), (Labels{"mutex.lock", "mutex.unlock", "mutex.try_lock", "mutex.unlock"}));

  std::unique_lock<strain::Mutex> lock(m);
  taken();
  cv.wait_for(lock, 1ms);
  cv.wait_for(lock, 1ms, [] { return false; });
  cv.wait(lock, [] { return true; });  // Holds at once: no wait, no point.
  cv.notify_one();
  cv.notify_all();
  EXPECT_EQ(taken(),
            (Labels{"condvar.wait", "condvar.wait", "condvar.notify_one", "condvar.notify_all"}));
}

TEST_F(Points, SemaphoreAndBarrier) {
  strain::Semaphore sem(1);
  strain::Barrier barrier(1);
  sem.acquire();
  sem.try_acquire();
  sem.release();
  barrier.arrive_and_wait();
  EXPECT_EQ(taken(), (Labels{"semaphore.acquire", "semaphore.try_acquire", "semaphore.release",
                             "barrier.arrive"}));
}

TEST_F(Points, Queue) {
  strain::Queue<int, 4> q;
  q.push(1);
  q.try_push(2);
  q.pop();
  q.try_pop();
  q.pop_for(1ms);
  q.size();
  q.task_done();
  q.task_done();
  q.join();
  q.close();
  q.closed();
  q.pop_or_closed();
  EXPECT_EQ(taken(), (Labels{"queue.push", "queue.try_push", "queue.pop", "queue.try_pop",
                             "queue.pop", "queue.size", "queue.task_done", "queue.task_done",
                             "queue.join", "queue.close", "queue.closed", "queue.pop"}));
}

TEST_F(Points, Atomic) {
  strain::Atomic<int> a;
  int expected = 0;
  a.load();
  a.store(1);
  a.exchange(2);
  a.compare_exchange_strong(expected, 3);
  a.compare_exchange_weak(expected, 3);
  a.fetch_add(1);
  a.fetch_sub(1);
  a.fetch_or(4);
  a.fetch_and(3);
  a.fetch_xor(1);
  ++a;
  a--;
  a += 2;
  const int v = a;
  EXPECT_EQ(v, 4);
  EXPECT_EQ(taken(),
            (Labels{"atomic.load", "atomic.store", "atomic.exchange", "atomic.compare_exchange",
                    "atomic.compare_exchange", "atomic.fetch_add", "atomic.fetch_sub",
                    "atomic.fetch_or", "atomic.fetch_and", "atomic.fetch_xor", "atomic.fetch_add",
                    "atomic.fetch_sub", "atomic.fetch_add", "atomic.load"}));
  // Each point names the atomic and what the operation does to it, which
  // POS and the weak memory model need.
  using strain::detail::Access;
  ASSERT_EQ(g_accesses.size(), 14u);
  for (const auto& [object, kind] : g_accesses) EXPECT_EQ(object, &a);
  EXPECT_EQ(g_accesses[0].second, Access::read);
  EXPECT_EQ(g_accesses[1].second, Access::write);
  EXPECT_EQ(g_accesses[2].second, Access::update);
  EXPECT_EQ(g_accesses[3].second, Access::update);
}

TEST_F(Points, PrimitivesNameTheirObjectAsSync) {
  strain::Mutex m;
  strain::Queue<int, 2> q;
  m.lock();
  m.unlock();
  q.push(1);
  using strain::detail::Access;
  ASSERT_EQ(g_accesses.size(), 3u);
  EXPECT_EQ(g_accesses[0], std::make_pair(static_cast<const void*>(&m), Access::sync));
  EXPECT_EQ(g_accesses[1], std::make_pair(static_cast<const void*>(&m), Access::sync));
  EXPECT_EQ(g_accesses[2], std::make_pair(static_cast<const void*>(&q), Access::sync));
}

TEST_F(Points, YieldAndSleepArePoints) {
  ctx_.yield();
  strain::yield();
  EXPECT_EQ(taken(), (Labels{"yield", "yield"}));
  EXPECT_EQ(g_accesses[0].second, strain::detail::Access::yield);
}

TEST_F(Points, NoContextNoPoints) {
  strain::detail::tls_context = nullptr;
  strain::Mutex m;
  m.lock();
  m.unlock();
  EXPECT_TRUE(taken().empty());
}

}  // namespace
