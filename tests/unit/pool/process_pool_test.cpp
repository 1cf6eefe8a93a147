// strain::ProcessPool: map in order, submit and futures, as_completed, errors
// from tasks and from dead workers, shutdown, and that its waits are not
// schedule points. Ordering tests use gates in shared memory, not sleeps,
// so they hold on a loaded machine.

#include "strain/process_pool.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "runtime/abi_types.hpp"
#include "runtime/tsan_build.hpp"
#include "strain/sync.hpp"

namespace {

using namespace std::chrono_literals;

std::int64_t square(std::int64_t x) { return x * x; }

// Flags in a MAP_SHARED page, made before the pool so that its workers share
// them: a task can wait until the test opens its gate.
struct Gates {
  Gates() {
    void* p =
        mmap(nullptr, sizeof(Flags), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    flags = ::new (p) Flags();
  }
  ~Gates() { munmap(flags, sizeof(Flags)); }
  Gates(const Gates&) = delete;
  Gates& operator=(const Gates&) = delete;

  void open(int k) { flags->open[k].store(1); }
  // Waits (in a worker) until gate k opens; gives up after 20 s so a broken
  // test cannot leave a worker spinning forever.
  void pass(int k) const {
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (flags->open[k].load() == 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(100us);
  }

  struct Flags {
    std::atomic<int> open[16] = {};
  };
  Flags* flags = nullptr;
};

// Runs `body` in a forked child and returns its exit status (0 = success).
template <class F>
int in_child(F body) {
  const pid_t pid = fork();
  if (pid == 0) {
    alarm(30);
    int rc = 1;
    try {
      rc = body();
    } catch (...) {
      rc = 99;
    }
    _exit(rc);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// True when `pid` is no longer a child of this process (it was reaped).
bool reaped(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) < 0 && errno == ECHILD;
}

TEST(ProcessPool, MapReturnsResultsInArgumentOrder) {
  strain::ProcessPool pool(&square, {.workers = 3});
  EXPECT_EQ(pool.workers(), 3u);
  std::vector<std::int64_t> args(200);
  std::iota(args.begin(), args.end(), -50);
  const std::vector<std::int64_t> got = pool.map(args);
  ASSERT_EQ(got.size(), args.size());
  for (std::size_t k = 0; k < args.size(); ++k) EXPECT_EQ(got[k], args[k] * args[k]) << k;
  EXPECT_TRUE(pool.map(std::vector<std::int64_t>{}).empty());
}

TEST(ProcessPool, MapRunsMoreTasksThanSlots) {
  strain::ProcessPool<int, int> pool([](const int& x) { return x + 1; },
                                     {.workers = 2, .max_pending = 3});
  std::vector<int> args(40);
  std::iota(args.begin(), args.end(), 0);
  const std::vector<int> got = pool.map(args);
  for (int k = 0; k < 40; ++k) EXPECT_EQ(got[static_cast<std::size_t>(k)], k + 1);
}

TEST(ProcessPool, WorkersRunOnTheMemoryOfTheMomentTheyWereForked) {
  std::vector<int> table{1, 2, 3};
  strain::ProcessPool<int, int> pool(
      [&table](const int& k) { return table[static_cast<std::size_t>(k)]; }, {.workers = 1});
  table[0] = 100;  // after the fork: the worker still sees 1
  EXPECT_EQ(pool.submit(0).get(), 1);
  EXPECT_EQ(pool.submit(2).get(), 3);
}

struct Factors {
  std::uint32_t n = 0;
  std::uint64_t f[16] = {};
};

TEST(ProcessPool, CarriesStructsBothWays) {
  strain::ProcessPool<std::uint64_t, Factors> pool(
      [](const std::uint64_t& v) {
        Factors out;
        std::uint64_t n = v;
        for (std::uint64_t d = 2; d * d <= n; ++d)
          while (n % d == 0) {
            out.f[out.n++] = d;
            n /= d;
          }
        if (n > 1) out.f[out.n++] = n;
        return out;
      },
      {.workers = 2});
  const std::vector<Factors> got = pool.map(std::vector<std::uint64_t>{360, 97, 1001});
  ASSERT_EQ(got[0].n, 6u);
  EXPECT_EQ(got[0].f[5], 5u);
  ASSERT_EQ(got[1].n, 1u);
  EXPECT_EQ(got[1].f[0], 97u);
  ASSERT_EQ(got[2].n, 3u);
  EXPECT_EQ(got[2].f[2], 13u);
}

TEST(ProcessPool, FutureWaitsForItsTask) {
  Gates gates;
  strain::ProcessPool<int, int> pool(
      [&gates](const int& k) {
        gates.pass(k);
        return k * 10;
      },
      {.workers = 2});
  strain::Future<int> f = pool.submit(3);
  EXPECT_TRUE(f.valid());
  EXPECT_FALSE(f.wait_for(20ms));
  EXPECT_FALSE(f.ready());
  gates.open(3);
  f.wait();
  EXPECT_TRUE(f.ready());
  EXPECT_EQ(f.get(), 30);
  EXPECT_FALSE(f.valid());
  EXPECT_THROW(f.get(), std::logic_error);
  EXPECT_THROW((void)f.ready(), std::logic_error);
}

TEST(ProcessPool, AsCompletedYieldsInTheOrderTasksFinish) {
  Gates gates;
  strain::ProcessPool<int, int> pool(
      [&gates](const int& k) {
        gates.pass(k);
        return k;
      },
      {.workers = 3});
  std::vector<strain::Future<int>> futures;
  for (int k = 0; k < 3; ++k) futures.push_back(pool.submit(k));
  // Finish order 2, 0, 1: each gate opens only once the previous task was
  // yielded, so the order is forced whatever the machine's load.
  const int order[] = {2, 0, 1};
  gates.open(order[0]);
  std::vector<int> seen;
  for (strain::Future<int>& f : strain::as_completed(futures)) {
    seen.push_back(f.get());
    if (seen.size() < 3) gates.open(order[seen.size()]);
  }
  EXPECT_EQ(seen, (std::vector<int>{2, 0, 1}));
}

TEST(ProcessPool, AsCompletedRefusesFuturesOfTwoPools) {
  strain::ProcessPool a(&square, {.workers = 1});
  strain::ProcessPool b(&square, {.workers = 1});
  std::vector<strain::Future<std::int64_t>> futures;
  futures.push_back(a.submit(1));
  futures.push_back(b.submit(2));
  EXPECT_THROW(strain::as_completed(futures), std::invalid_argument);
}

TEST(ProcessPool, ATaskThatThrowsFailsAloneAndThePoolGoesOn) {
  strain::ProcessPool<int, int> pool(
      [](const int& x) {
        if (x == 7) throw std::runtime_error("seven is unlucky");
        return x;
      },
      {.workers = 2});
  strain::Future<int> bad = pool.submit(7);
  try {
    (void)bad.get();
    FAIL() << "no TaskError";
  } catch (const strain::TaskError& e) {
    EXPECT_NE(std::string(e.what()).find("seven is unlucky"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("worker process (pid "), std::string::npos) << e.what();
  }
  EXPECT_EQ(pool.submit(8).get(), 8);
  // map() throws the first failure in argument order.
  EXPECT_THROW(pool.map(std::vector<int>{1, 7, 3}), strain::TaskError);
  EXPECT_EQ(pool.map(std::vector<int>{1, 2}), (std::vector<int>{1, 2}));
}

TEST(ProcessPool, AKilledWorkerBreaksThePoolWithItsSignal) {
  Gates gates;
  strain::ProcessPool<int, int> pool(
      [&gates](const int& x) {
        gates.pass(x < 0 ? 1 : 0);
        if (x < 0) raise(SIGKILL);
        return x;
      },
      {.workers = 1});
  strain::Future<int> dies = pool.submit(-1);
  strain::Future<int> queued = pool.submit(0);  // behind it on the only worker
  gates.open(1);  // only now may the worker die: submit() fails on a broken pool
  try {
    (void)dies.get();
    FAIL() << "no BrokenPool";
  } catch (const strain::BrokenPool& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("killed by signal SIGKILL"), std::string::npos) << what;
    EXPECT_NE(what.find("while running this task"), std::string::npos) << what;
  }
  EXPECT_THROW((void)queued.get(), strain::BrokenPool);
  EXPECT_THROW((void)pool.submit(1), strain::BrokenPool);
}

TEST(ProcessPool, AWorkerThatExitsBreaksThePoolWithItsStatus) {
  strain::ProcessPool<int, int> pool(
      [](const int& x) {
        if (x == 3) _exit(3);
        return x;
      },
      {.workers = 2});
  try {
    (void)pool.map(std::vector<int>{1, 3, 5});
    FAIL() << "no BrokenPool";
  } catch (const strain::BrokenPool& e) {
    EXPECT_NE(std::string(e.what()).find("exited with status 3"), std::string::npos) << e.what();
  }
}

TEST(ProcessPool, ATaskThatStartsAThreadIsNamedUnderThreadSanitizer) {
  // The parent runs another thread, as the thread topology's team does.
  Gates gates;
  std::thread other([&gates] { gates.pass(0); });
  strain::ProcessPool<int, int> pool(
      [](const int& x) {
        int r = 0;
        std::thread([&r, x] { r = x; }).join();
        return r;
      },
      {.workers = 1});
#ifdef STRAIN_TSAN_BUILD
  // ThreadSanitizer kills the worker (die_after_fork); the error says why.
  try {
    (void)pool.submit(5).get();
    ADD_FAILURE() << "no BrokenPool";
  } catch (const strain::BrokenPool& e) {
    EXPECT_NE(std::string(e.what()).find("die_after_fork"), std::string::npos) << e.what();
  }
#else
  // Elsewhere a forked child may start threads.
  EXPECT_EQ(pool.submit(5).get(), 5);
#endif
  gates.open(0);
  other.join();
}

TEST(ProcessPool, MaxPendingBoundsOutstandingFutures) {
  Gates gates;
  strain::ProcessPool<int, int> pool(
      [&gates](const int& x) {
        gates.pass(0);
        return x;
      },
      {.workers = 1, .max_pending = 2});
  strain::Future<int> a = pool.submit(1);
  strain::Future<int> b = pool.submit(2);
  EXPECT_THROW((void)pool.submit(3), std::length_error);
  gates.open(0);
  EXPECT_EQ(a.get(), 1);
  strain::Future<int> c = pool.submit(3);  // a's slot is free again
  {
    strain::Future<int> dropped = std::move(b);  // dropping frees b's slot once it finishes
  }
  EXPECT_EQ(c.get(), 3);
  strain::Future<int> d = pool.submit(4);
  EXPECT_EQ(d.get(), 4);
}

TEST(ProcessPool, DestructorReapsEveryWorker) {
  std::vector<pid_t> pids;
  {
    strain::ProcessPool pool(&square, {.workers = 3});
    pids = pool.pids();
    ASSERT_EQ(pids.size(), 3u);
    EXPECT_EQ(pool.submit(4).get(), 16);
    for (pid_t p : pids) EXPECT_FALSE(reaped(p));
  }
  for (pid_t p : pids) EXPECT_TRUE(reaped(p)) << p;
}

TEST(ProcessPool, DestructorKillsAWorkerStuckInADroppedTask) {
  Gates gates;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<pid_t> pids;
  {
    strain::ProcessPool<int, int> pool(
        [&gates](const int& x) {
          gates.open(0);
          sleep(3600);
          return x;
        },
        {.workers = 1});
    pids = pool.pids();
    strain::Future<int> f = pool.submit(1);
    gates.pass(0);  // the task is running
  }
  // Generous: the point is that it returns at all, not how fast.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
  EXPECT_TRUE(reaped(pids[0]));
}

// A point_fn that counts the schedule points taken on this thread.
thread_local int g_points = 0;
void count_point(strain::Context&, const char*, const void*, strain::detail::Access) noexcept {
  ++g_points;
}

TEST(ProcessPool, ItsWaitsAreNotSchedulePointsAndTasksRunWithoutAContext) {
  strain::Context ctx;
  strain::detail::point_fn(ctx) = &count_point;
  strain::detail::tls_context = &ctx;
  // The registration glue turns points on when a strategy installs a hook;
  // this test installs its own, so it turns them on itself.
  strain::detail::points_enabled.store(true);
  g_points = 0;
  {
    strain::ProcessPool<int, int> pool(
        [](const int&) {
          // In the worker: a Mutex takes points only where a context is
          // installed, so this counts them in the worker's own copy.
          strain::Mutex m;
          m.lock();
          m.unlock();
          return g_points;
        },
        {.workers = 2});
    strain::Mutex m;
    m.lock();  // the caller's own primitive still takes points
    m.unlock();
    EXPECT_EQ(g_points, 2);
    const std::vector<int> in_workers = pool.map(std::vector<int>{1, 2, 3, 4});
    EXPECT_EQ(in_workers, (std::vector<int>{0, 0, 0, 0}));
    strain::Future<int> f = pool.submit(5);
    (void)f.wait_for(1ms);
    (void)f.ready();
    (void)f.get();
  }
  EXPECT_EQ(g_points, 2);
  strain::detail::tls_context = nullptr;
  strain::detail::points_enabled.store(false);
}

TEST(ProcessPool, WorksFromSeveralThreadsAtOnce) {
  // Each thread forks its own pool while the others run: the thread
  // topology's situation.
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &good] {
      strain::ProcessPool<int, int> pool([t](const int& x) { return x * t; }, {.workers = 2});
      std::vector<int> args(50);
      std::iota(args.begin(), args.end(), 0);
      const std::vector<int> got = pool.map(args);
      bool ok = true;
      for (int k = 0; k < 50; ++k) ok = ok && got[static_cast<std::size_t>(k)] == k * t;
      if (ok) good.fetch_add(1);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 4);
}

TEST(ProcessPool, OneFutureCanBeCollectedByAnotherThread) {
  strain::ProcessPool pool(&square, {.workers = 2});
  strain::Future<std::int64_t> f = pool.submit(9);
  std::int64_t got = 0;
  std::thread([&] { got = f.get(); }).join();
  EXPECT_EQ(got, 81);
}

TEST(ProcessPool, WorksInAForkedProcessAsInTheProcessTopology) {
  EXPECT_EQ(in_child([] {
              strain::ProcessPool pool(&square, {.workers = 2});
              const auto got = pool.map(std::vector<std::int64_t>{1, 2, 3});
              return got == std::vector<std::int64_t>{1, 4, 9} ? 0 : 1;
            }),
            0);
}

TEST(ProcessPool, OnlyTheProcessThatMadeItMayUseIt) {
  strain::ProcessPool pool(&square, {.workers = 1});
  EXPECT_EQ(in_child([&pool] {
              try {
                (void)pool.submit(1);
              } catch (const std::logic_error&) {
                return 0;
              }
              return 1;
            }),
            0);
  EXPECT_EQ(pool.submit(3).get(), 9);  // and the owner is unaffected
}

TEST(ProcessPool, RejectsBadOptions) {
  EXPECT_THROW(strain::ProcessPool(&square, {.workers = 1, .max_pending = 0}),
               std::invalid_argument);
}

TEST(ProcessPool, DefaultsToOneWorkerPerCpu) {
  strain::ProcessPool pool(&square);
  EXPECT_EQ(pool.workers(), std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(pool.submit(5).get(), 25);
}

}  // namespace
