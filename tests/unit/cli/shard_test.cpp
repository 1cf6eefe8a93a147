// Shard resolution: flags, gtest's variables and Kubernetes' index, with
// googletest's rules for inconsistent settings.

#include "cli/shard.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/errors.hpp"

namespace strain::cli {
namespace {

GetEnv env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

void expect_shard(const std::optional<model::Shard>& s, std::uint64_t index, std::uint64_t total) {
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->index, index);
  EXPECT_EQ(s->total, total);
}

TEST(Shard, NothingAskedMeansNoSharding) {
  EXPECT_FALSE(resolve_shard({}, env_of({})).has_value());
  EXPECT_TRUE(in_shard(5, std::nullopt));
}

TEST(Shard, FlagWinsOverTheEnvironment) {
  expect_shard(
      resolve_shard({"2/5", {}}, env_of({{"GTEST_SHARD_INDEX", "0"}, {"GTEST_TOTAL_SHARDS", "3"}})),
      2, 5);
}

TEST(Shard, GtestVariablesBothOrNeither) {
  expect_shard(resolve_shard({}, env_of({{"GTEST_SHARD_INDEX", "1"}, {"GTEST_TOTAL_SHARDS", "4"}})),
               1, 4);
  EXPECT_THROW(resolve_shard({}, env_of({{"GTEST_TOTAL_SHARDS", "4"}})), UsageError);
  EXPECT_THROW(resolve_shard({}, env_of({{"GTEST_SHARD_INDEX", "4"}, {"GTEST_TOTAL_SHARDS", "4"}})),
               UsageError);
  EXPECT_THROW(
      resolve_shard({}, env_of({{"GTEST_SHARD_INDEX", "-1"}, {"GTEST_TOTAL_SHARDS", "4"}})),
      UsageError);
}

TEST(Shard, ShardsTakesTheIndexFromKubernetes) {
  expect_shard(resolve_shard({"", 3}, env_of({{"JOB_COMPLETION_INDEX", "2"}})), 2, 3);
  EXPECT_THROW(resolve_shard({"", 3}, env_of({})), UsageError);
  EXPECT_THROW(resolve_shard({"", 3}, env_of({{"JOB_COMPLETION_INDEX", "3"}})), UsageError);
  EXPECT_THROW(resolve_shard({"0/3", 3}, env_of({{"JOB_COMPLETION_INDEX", "0"}})), UsageError);
}

TEST(Shard, ParseRejectsMalformedText) {
  for (const char* bad : {"", "3", "1/", "/3", "a/3", "1/b", "3/3", "0/0", "1/3/5", "-1/3"})
    EXPECT_THROW(parse_shard(bad, "--shard"), UsageError) << bad;
  const model::Shard s = parse_shard("0/1", "--shard");
  EXPECT_EQ(s.total, 1u);
}

TEST(Shard, ModuloSplitCoversEveryCaseOnce) {
  for (std::uint64_t total = 1; total <= 5; ++total)
    for (std::uint64_t k = 0; k < 20; ++k) {
      int owners = 0;
      for (std::uint64_t i = 0; i < total; ++i) owners += in_shard(k, model::Shard{i, total});
      EXPECT_EQ(owners, 1) << k << " of " << total;
    }
}

}  // namespace
}  // namespace strain::cli
