// The pthread key values the host keeps for fibers and started threads
// (sched/thread_keys.hpp), against what glibc does for a thread: a new
// thread sees null, a value is the thread's own, a deleted key's values are
// gone and its destructor does not run, the destructors run at the end in
// rounds while they set values again, and a full table says ENOMEM.

#include "sched/thread_keys.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace strain::sched {
namespace {

int g_destroyed = 0;
void count(void*) { ++g_destroyed; }

// Keys numbered high, away from any glibc or test framework key: the
// registry is process-wide.
constexpr unsigned kKey = 900;

TEST(ThreadKeys, EachTableKeepsItsOwnValueAndANewOneSeesNull) {
  ThreadKeys::created(kKey, nullptr);
  ThreadKeys a, b;
  int x = 0, y = 0;
  EXPECT_EQ(a.get(kKey), nullptr);
  EXPECT_EQ(a.set(kKey, &x), 0);
  EXPECT_EQ(b.set(kKey, &y), 0);
  EXPECT_EQ(a.get(kKey), &x);
  EXPECT_EQ(b.get(kKey), &y);
  a.clear();
  EXPECT_EQ(a.get(kKey), nullptr);
  ThreadKeys::deleted(kKey);
}

TEST(ThreadKeys, ADeletedKeyLosesItsValuesAndItsDestructor) {
  ThreadKeys::created(kKey + 1, &count);
  ThreadKeys t;
  int x = 0;
  ASSERT_EQ(t.set(kKey + 1, &x), 0);
  ThreadKeys::deleted(kKey + 1);
  EXPECT_EQ(t.get(kKey + 1), nullptr);
  EXPECT_EQ(t.set(kKey + 1, &x), EINVAL);
  g_destroyed = 0;
  t.run_destructors();
  EXPECT_EQ(g_destroyed, 0);
  // Created again (glibc reuses the number): the old value stays gone.
  ThreadKeys::created(kKey + 1, &count);
  EXPECT_EQ(t.get(kKey + 1), nullptr);
  ThreadKeys::deleted(kKey + 1);
}

// A destructor that sets a value again runs again next round, up to
// glibc's four rounds; a null value runs none.
unsigned g_again_key = 0;
int g_rounds = 0;
ThreadKeys* g_table = nullptr;
int g_value = 0;
void set_again(void*) {
  ++g_rounds;
  g_table->set(g_again_key, &g_value);
}

TEST(ThreadKeys, DestructorsRunInRoundsWhileTheySetValuesAgain) {
  g_again_key = kKey + 2;
  ThreadKeys::created(g_again_key, &set_again);
  ThreadKeys::created(kKey + 3, &count);
  ThreadKeys t;
  g_table = &t;
  ASSERT_EQ(t.set(g_again_key, &g_value), 0);
  ASSERT_EQ(t.set(kKey + 3, nullptr), 0);  // null: no destructor
  g_rounds = 0;
  g_destroyed = 0;
  t.run_destructors();
  EXPECT_EQ(g_rounds, ThreadKeys::kDestructorRounds);
  EXPECT_EQ(g_destroyed, 0);
  EXPECT_EQ(t.get(g_again_key), nullptr);  // forgotten after the last round
  ThreadKeys::deleted(g_again_key);
  ThreadKeys::deleted(kKey + 3);
}

TEST(ThreadKeys, AFullTableSaysEnomemAndAKeyNeverCreatedEinval) {
  ThreadKeys t;
  int x = 0;
  for (unsigned k = 0; k < ThreadKeys::kCapacity; ++k) {
    ThreadKeys::created(kKey + 10 + k, nullptr);
    ASSERT_EQ(t.set(kKey + 10 + k, &x), 0) << k;
  }
  ThreadKeys::created(kKey + 10 + ThreadKeys::kCapacity, nullptr);
  EXPECT_EQ(t.set(kKey + 10 + ThreadKeys::kCapacity, &x), ENOMEM);
  EXPECT_EQ(t.set(kKey + 10, nullptr), 0);  // a value cleared keeps its place
  EXPECT_EQ(t.set(ThreadKeys::kKeys, &x), EINVAL);
  EXPECT_EQ(t.set(kKey + 60, &x), EINVAL);
  for (unsigned k = 0; k <= ThreadKeys::kCapacity; ++k) ThreadKeys::deleted(kKey + 10 + k);
}

}  // namespace
}  // namespace strain::sched
