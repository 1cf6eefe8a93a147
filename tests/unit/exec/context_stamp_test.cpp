// A context reads its trial where the host put it (runtime/abi_types.hpp):
// a role's through the stamp the step writes once per trial, the check's
// from its own copy; and its generator starts where model/seed.hpp says,
// which replay lines printed by earlier runs depend on.

#include <gtest/gtest.h>

#include "exec/case_state.hpp"
#include "model/seed.hpp"
#include "runtime/abi_types.hpp"
#include "strain/context.hpp"
#include "strain/rng.hpp"

namespace strain::exec {
namespace {

TEST(ContextStamp, ARoleReadsTheStampAsItIsNowAndTheCheckItsOwnTrial) {
  TrialStamp stamp{4, 99};
  Context role, check;
  detail::context_data(role).stamp = &stamp;
  detail::context_data(check).own = TrialStamp{7, 1234};
  EXPECT_EQ(role.trial(), 4u);
  EXPECT_EQ(role.seed(), 99u);
  stamp = TrialStamp{5, 100};  // the next trial, written by the step
  EXPECT_EQ(role.trial(), 5u);
  EXPECT_EQ(role.seed(), 100u);
  EXPECT_EQ(check.trial(), 7u);
  EXPECT_EQ(check.seed(), 1234u);
}

TEST(ContextStamp, TheGeneratorStartsFromTheModelsContextSeedOnEachTrialsFirstDraw) {
  TrialStamp stamp{0, model::trial_seed(42, "case/a", 0)};
  Context role;
  detail::ContextData& d = detail::context_data(role);
  d.stamp = &stamp;
  d.salt = 2;  // role thread 1
  CaseState::reset_context(d);
  Rng want(model::context_seed(stamp.seed, 2));
  const std::uint64_t first = want();
  EXPECT_EQ(role.rng()(), first);
  EXPECT_EQ(role.rng()(), want()) << "one generator for the whole trial";
  // The next trial: reset, a new stamp, a fresh sequence from its seed.
  stamp = TrialStamp{1, model::trial_seed(42, "case/a", 1)};
  CaseState::reset_context(d);
  EXPECT_EQ(role.rng()(), Rng(model::context_seed(stamp.seed, 2))());
  EXPECT_NE(Rng(model::context_seed(stamp.seed, 2))(), first);
}

}  // namespace
}  // namespace strain::exec
