// Counting what a case ran: the fixed-size set of its distinct interleavings,
// and the verdict of `expect: fail`.

#include "exec/digest_set.hpp"

#include "exec/case_runner.hpp"

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

namespace strain::exec {
namespace {

// `expect: fail` (any failure outcome) in the verdict: met by any failure,
// unmet by none.
model::CaseResult observed(model::Outcome expected, model::Outcome seen, std::uint64_t n) {
  model::CaseResult r;
  r.expected = expected;
  r.trials = 10;
  r.outcomes[static_cast<std::size_t>(model::Outcome::pass)] = 10 - n;
  r.outcomes[static_cast<std::size_t>(seen)] += n;
  r.stopped_by = n > 0 ? model::StopReason::failure : model::StopReason::trials;
  return r;
}

TEST(Verdict, FailIsMetByAnyFailureAndUnmetByNone) {
  using model::Outcome;
  for (Outcome seen : {Outcome::violation, Outcome::race, Outcome::deadlock, Outcome::hang,
                       Outcome::crash, Outcome::error})
    EXPECT_TRUE(verdict(observed(Outcome::fail, seen, 1))) << model::to_string(seen);
  EXPECT_FALSE(verdict(observed(Outcome::fail, Outcome::pass, 0)));
  // A named outcome is still met by that outcome only.
  EXPECT_TRUE(verdict(observed(Outcome::deadlock, Outcome::deadlock, 1)));
  EXPECT_FALSE(verdict(observed(Outcome::deadlock, Outcome::hang, 1)));
  EXPECT_EQ(model::expectation_from_string("fail"), Outcome::fail);
  EXPECT_EQ(model::outcome_from_string("fail"), std::nullopt) << "no trial's outcome";
}

}  // namespace
}  // namespace strain::exec
