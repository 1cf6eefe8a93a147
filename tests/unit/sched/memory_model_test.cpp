// The weak memory model: which stores a load may read, per the C++ rules it
// implements (coherence, happens-before through release/acquire and through
// the other primitives, read-modify-writes and seq_cst loads reading the
// newest store), and nothing a correct program could not see.

#include "sched/memory_model.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <vector>

#include "runtime/abi_types.hpp"
#include "strain/context.hpp"

namespace strain::sched {
namespace {

constexpr int kRelaxed = static_cast<int>(std::memory_order_relaxed);
constexpr int kAcquire = static_cast<int>(std::memory_order_acquire);
constexpr int kRelease = static_cast<int>(std::memory_order_release);
constexpr int kSeqCst = static_cast<int>(std::memory_order_seq_cst);

// Two locations, as `data` and `flag` of a publication.
int data_cell, flag_cell;
const void* const kData = &data_cell;
const void* const kFlag = &flag_cell;

// Every value a load could return: each choice tried in turn.
std::set<std::uint64_t> readable(MemoryModel& m, unsigned t, const void* obj, std::uint64_t newest,
                                 int order) {
  std::set<std::uint64_t> values;
  unsigned options = 1;
  for (unsigned pick = 0; pick < options; ++pick) {
    MemoryModel copy = m;
    values.insert(copy.load(t, obj, newest, order, [&](unsigned n, bool) {
      options = n;
      return pick;
    }));
  }
  return values;
}

TEST(MemoryModel, RelaxedPublicationMayReadTheOldData) {
  MemoryModel m(2);
  m.begin_trial();
  m.store(0, kData, 0, 42, kRelaxed, false);
  m.store(0, kFlag, 0, 1, kRelaxed, false);
  // The reader saw the flag...
  EXPECT_EQ(m.load(1, kFlag, 1, kRelaxed, [](unsigned, bool) { return 0u; }), 1u);
  // ...and may still read the data from before.
  EXPECT_EQ(readable(m, 1, kData, 42, kRelaxed), (std::set<std::uint64_t>{0, 42}));
}

TEST(MemoryModel, ReleaseAcquirePublicationReadsTheData) {
  MemoryModel m(2);
  m.begin_trial();
  m.store(0, kData, 0, 42, kRelaxed, false);
  m.store(0, kFlag, 0, 1, kRelease, false);
  EXPECT_EQ(m.load(1, kFlag, 1, kAcquire, [](unsigned, bool) { return 0u; }), 1u);
  EXPECT_EQ(readable(m, 1, kData, 42, kRelaxed), (std::set<std::uint64_t>{42}));
}

TEST(MemoryModel, AnAcquireThatReadsTheOldFlagSynchronisesWithNothing) {
  MemoryModel m(2);
  m.begin_trial();
  m.store(0, kData, 0, 42, kRelaxed, false);
  m.store(0, kFlag, 0, 1, kRelease, false);
  // Reading the initial flag takes no view, so the data stays unordered.
  EXPECT_EQ(m.load(1, kFlag, 1, kAcquire, [](unsigned, bool) { return 1u; }), 0u);
  EXPECT_EQ(readable(m, 1, kData, 42, kRelaxed), (std::set<std::uint64_t>{0, 42}));
}

TEST(MemoryModel, ReadsAreCoherent) {
  MemoryModel m(2);
  m.begin_trial();
  for (std::uint64_t v = 1; v <= 3; ++v) m.store(0, kData, v - 1, v, kRelaxed, false);
  EXPECT_EQ(readable(m, 1, kData, 3, kRelaxed), (std::set<std::uint64_t>{0, 1, 2, 3}));
  // Once the reader has seen 2 it never sees an older value again.
  EXPECT_EQ(m.load(1, kData, 3, kRelaxed, [](unsigned n, bool) { return n - 1 - 2; }), 2u);
  EXPECT_EQ(readable(m, 1, kData, 3, kRelaxed), (std::set<std::uint64_t>{2, 3}));
  // A thread always sees its own latest store.
  EXPECT_EQ(readable(m, 0, kData, 3, kRelaxed), (std::set<std::uint64_t>{3}));
}

TEST(MemoryModel, SeqCstLoadsAndReadModifyWritesReadTheNewestStore) {
  MemoryModel m(2);
  m.begin_trial();
  m.store(0, kData, 0, 5, kRelaxed, false);
  EXPECT_EQ(readable(m, 1, kData, 5, kSeqCst), (std::set<std::uint64_t>{5}));
  EXPECT_EQ(readable(m, 1, kData, 5, kRelaxed | detail::kLoadNewest), (std::set<std::uint64_t>{5}));
}

TEST(MemoryModel, AReleaseSequenceContinuesThroughReadModifyWrites) {
  MemoryModel m(3);
  m.begin_trial();
  m.store(0, kData, 0, 42, kRelaxed, false);
  m.store(0, kFlag, 0, 1, kRelease, false);
  m.store(1, kFlag, 1, 2, kRelaxed, true);  // a relaxed fetch_add by another thread
  // Thread 2 acquires the fetch_add's value and so synchronises with the
  // release store at the head of the sequence.
  EXPECT_EQ(m.load(2, kFlag, 2, kAcquire, [](unsigned, bool) { return 0u; }), 2u);
  EXPECT_EQ(readable(m, 2, kData, 42, kRelaxed), (std::set<std::uint64_t>{42}));
}

int mutex_a, mutex_b;

TEST(MemoryModel, APrimitiveSynchronisesTheOperationsOnIt) {
  MemoryModel m(2);
  m.begin_trial();
  m.store(0, kData, 0, 42, kRelaxed, false);
  m.sync(0, &mutex_a);  // an unlock
  m.sync(1, &mutex_a);  // the next lock of the same mutex
  EXPECT_EQ(readable(m, 1, kData, 42, kRelaxed), (std::set<std::uint64_t>{42}));
}

TEST(MemoryModel, ALockOfAnotherMutexSynchronisesWithNothing) {
  MemoryModel m(2);
  m.begin_trial();
  m.store(0, kData, 0, 42, kRelaxed, false);
  m.sync(0, &mutex_a);
  m.sync(1, &mutex_b);
  EXPECT_EQ(readable(m, 1, kData, 42, kRelaxed), (std::set<std::uint64_t>{0, 42}));
}

TEST(MemoryModel, AWaitSynchronisesWithEveryObject) {
  MemoryModel m(3);
  m.begin_trial();
  // Thread 0 publishes through mutex a; thread 1 waits (a condition wait
  // retakes a mutex its point does not name) and so sees it...
  m.store(0, kData, 0, 42, kRelaxed, false);
  m.sync(0, &mutex_a);
  m.sync(1, nullptr);
  EXPECT_EQ(readable(m, 1, kData, 42, kRelaxed), (std::set<std::uint64_t>{42}));
  // ...and what thread 1 did before its wait reaches a later lock of any
  // object, one first used after the wait included.
  m.store(1, kFlag, 0, 1, kRelaxed, false);
  m.sync(1, nullptr);
  m.sync(2, &mutex_b);
  EXPECT_EQ(readable(m, 2, kFlag, 1, kRelaxed), (std::set<std::uint64_t>{1}));
}

TEST(MemoryModel, ALoadRepeatsOnlyWithNothingStoredSince) {
  MemoryModel m(2);
  m.begin_trial();
  m.store(0, kFlag, 0, 1, kRelaxed, false);
  std::vector<bool> repeats;
  const auto note = [&](unsigned, bool repeat) {
    repeats.push_back(repeat);
    return 1u;  // the older store
  };
  EXPECT_EQ(m.load(1, kFlag, 1, kRelaxed, note), 0u);
  EXPECT_EQ(m.load(1, kFlag, 1, kRelaxed, note), 0u);  // a second turn of a spin
  m.store(0, kFlag, 1, 2, kRelaxed, false);
  m.load(1, kFlag, 2, kRelaxed, note);  // something was stored since
  m.load(1, kData, 0, kRelaxed, note);  // one store: no choice
  m.load(1, kFlag, 2, kRelaxed, note);  // another load came between
  EXPECT_EQ(repeats, (std::vector<bool>{false, true, false, false}));
}

TEST(MemoryModel, AStoreMadeOutsideTheModelIsSeenByAll) {
  MemoryModel m(2);
  m.begin_trial();
  m.store(0, kData, 0, 1, kRelaxed, false);
  // The location now holds 7, which no modelled store wrote.
  EXPECT_EQ(readable(m, 1, kData, 7, kRelaxed), (std::set<std::uint64_t>{7}));
}

}  // namespace
}  // namespace strain::sched
