// The "did you mean" of a misspelt command.

#include "cli/suggest.hpp"

#include <gtest/gtest.h>

namespace {

using strain::cli::closest;
using strain::cli::edit_distance;

const std::vector<std::string> kCommands = {"run",     "replay", "list", "validate",
                                            "plugins", "merge",  "new"};

TEST(Suggest, DistanceCountsASwapOfNeighboursAsOneEdit) {
  EXPECT_EQ(edit_distance("rnu", "run"), 1u);
  EXPECT_EQ(edit_distance("run", "run"), 0u);
  EXPECT_EQ(edit_distance("", "run"), 3u);
  EXPECT_EQ(edit_distance("validat", "validate"), 1u);
}

TEST(Suggest, TyposGetTheCommandTheyMeant) {
  EXPECT_EQ(closest("rnu", kCommands), "run");
  EXPECT_EQ(closest("rn", kCommands), "run");
  EXPECT_EQ(closest("replya", kCommands), "replay");
  EXPECT_EQ(closest("lsit", kCommands), "list");
  EXPECT_EQ(closest("valdiate", kCommands), "validate");
  EXPECT_EQ(closest("plugin", kCommands), "plugins");
}

TEST(Suggest, UnrelatedWordsGetNoSuggestion) {
  EXPECT_EQ(closest("specs/bank_account.yaml", kCommands), std::nullopt);
  EXPECT_EQ(closest("xyz", kCommands), std::nullopt);
  EXPECT_EQ(closest("a", kCommands), std::nullopt);
}

}  // namespace
