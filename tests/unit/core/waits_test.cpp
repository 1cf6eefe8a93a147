// The inputs of the waits' spin decisions: the brief spin's adaptation
// (core/brief_spin.hpp) and the cores a process may use
// (core/spare_cores.hpp's usable_cores()).

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <thread>

#include "core/brief_spin.hpp"
#include "core/spare_cores.hpp"

namespace {

using strain::core::BriefSpin;

// How many of the next `waits` waits would spin briefly.
int spins_in(BriefSpin& b, int waits) {
  int n = 0;
  for (int k = 0; k < waits; ++k) n += b.worth_it() ? 1 : 0;
  return n;
}

TEST(BriefSpin, SpinsWhileSpinsPay) {
  BriefSpin b;
  for (int k = 0; k < 1000; ++k) {
    ASSERT_TRUE(b.worth_it()) << "wait " << k;
    b.hit();
  }
}

TEST(BriefSpin, ThreeMissesInARowStillSpin) {
  BriefSpin b;
  for (int round = 0; round < 100; ++round) {
    for (int k = 0; k < 3; ++k) {
      ASSERT_TRUE(b.worth_it());
      b.missed();
    }
    ASSERT_TRUE(b.worth_it());
    b.hit();  // a preempted partner now and then is no reason to stop
  }
}

TEST(BriefSpin, AfterFourMissesOnlyOneWaitInSixtyFourSpins) {
  BriefSpin b;
  for (int k = 0; k < 4; ++k) {
    ASSERT_TRUE(b.worth_it());
    b.missed();
  }
  EXPECT_EQ(spins_in(b, 64 * 10), 10);
}

TEST(BriefSpin, ARetryThatPaysResumesSpinning) {
  BriefSpin b;
  for (int k = 0; k < 4; ++k) b.missed();
  int waits = 0;
  while (!b.worth_it()) ++waits;
  EXPECT_LT(waits, 64);
  b.hit();  // the placement changed: the retry saw the wait end
  EXPECT_EQ(spins_in(b, 100), 100);
}

TEST(BriefSpin, ARetryThatFailsKeepsTheWaiterAsleep) {
  BriefSpin b;
  for (int k = 0; k < 4; ++k) b.missed();
  while (!b.worth_it()) {
  }
  b.missed();
  EXPECT_EQ(spins_in(b, 63), 0);
}

// The affinity mask, not the machine: a thread pinned to one core may use
// one, whatever the machine has.
TEST(UsableCores, FollowTheAffinityMask) {
  std::thread t([] {
    cpu_set_t all;
    ASSERT_EQ(::sched_getaffinity(0, sizeof all, &all), 0);
    EXPECT_EQ(strain::core::usable_cores(), static_cast<unsigned>(CPU_COUNT(&all)));
    int first = 0;
    while (!CPU_ISSET(first, &all)) ++first;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
    EXPECT_EQ(strain::core::usable_cores(), 1u);
  });
  t.join();
}

}  // namespace
