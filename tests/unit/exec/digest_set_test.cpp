// Counting what a case ran: the fixed-size set of its distinct interleavings.

#include "exec/digest_set.hpp"

#include <gtest/gtest.h>

namespace strain::exec {
namespace {

TEST(DigestSet, CountsEachDigestOnce) {
  DigestSet s;
  for (std::uint64_t d : {5u, 7u, 5u, 9u, 7u, 5u}) s.add(d);
  EXPECT_EQ(s.count(), 3u);
  // 0 is a digest like any other (kept as 1, so 1 and 0 count once).
  s.add(0);
  s.add(1);
  EXPECT_EQ(s.count(), 4u);
}

TEST(DigestSet, SaturatesAtItsCapacityInsteadOfGrowing) {
  DigestSet s;
  for (std::uint64_t d = 1; d <= DigestSet::kCapacity + 100; ++d) s.add(d * 0x2545f4914f6cdd1dULL);
  EXPECT_EQ(s.count(), DigestSet::kCapacity);
  EXPECT_TRUE(s.saturated());
}

}  // namespace
}  // namespace strain::exec
