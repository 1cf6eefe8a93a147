// Queue and Atomic between threads and between forked processes.

#include "sync_fixture.hpp"

namespace {

using namespace sync_test;

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

}  // namespace
