// Mutex, CondVar, Semaphore and Barrier between threads and between forked
// processes sharing a MAP_SHARED mapping.

#include "sync_fixture.hpp"

namespace {

using namespace sync_test;

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

}  // namespace
