// Every operation of the sync primitives is a schedule point, with its label,
// its object and what it does to the object.

#include "runtime/abi_types.hpp"
#include "sync_fixture.hpp"

namespace {

using namespace sync_test;

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
    strain::detail::point_fn(ctx_) = &record_point;
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
