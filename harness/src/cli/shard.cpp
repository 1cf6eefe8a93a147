#include "cli/shard.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>

#include "core/errors.hpp"

namespace strain::cli {

namespace {

std::optional<std::uint64_t> to_uint(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::uint64_t env_uint(const GetEnv& env, const char* name) {
  const char* v = env(name);
  const auto n = to_uint(v == nullptr ? "" : v);
  if (!n)
    throw UsageError(
        fmt::format("${} must be a non-negative integer, got '{}'", name, v == nullptr ? "" : v));
  return *n;
}

model::Shard checked(std::uint64_t index, std::uint64_t total, std::string_view what) {
  if (total < 1) throw UsageError(fmt::format("{}: the number of shards must be >= 1", what));
  if (index >= total)
    throw UsageError(
        fmt::format("{}: shard index {} is not below the number of shards {}", what, index, total));
  return {index, total};
}

}  // namespace

model::Shard parse_shard(std::string_view text, std::string_view what) {
  const std::size_t slash = text.find('/');
  const auto index = to_uint(text.substr(0, slash));
  const auto total =
      slash == std::string_view::npos ? std::nullopt : to_uint(text.substr(slash + 1));
  if (!index || !total)
    throw UsageError(fmt::format("{} must be INDEX/TOTAL, e.g. 0/3, got '{}'", what, text));
  return checked(*index, *total, what);
}

std::optional<model::Shard> resolve_shard(const ShardFlags& flags, const GetEnv& env) {
  if (!flags.shard.empty() && flags.shards)
    throw UsageError("give either --shard I/N or --shards N, not both");
  if (!flags.shard.empty()) return parse_shard(flags.shard, "--shard");
  if (flags.shards) {
    if (env("JOB_COMPLETION_INDEX") == nullptr)
      throw UsageError(
          "--shards N takes the shard index from $JOB_COMPLETION_INDEX (a Kubernetes Indexed "
          "Job sets it), which is not set; use --shard I/N elsewhere");
    return checked(env_uint(env, "JOB_COMPLETION_INDEX"), *flags.shards, "--shards");
  }
  // As googletest: both variables or neither.
  const bool has_index = env("GTEST_SHARD_INDEX") != nullptr;
  const bool has_total = env("GTEST_TOTAL_SHARDS") != nullptr;
  if (!has_index && !has_total) return std::nullopt;
  if (has_index != has_total)
    throw UsageError(fmt::format("${} is set but ${} is not; sharding needs both",
                                 has_index ? "GTEST_SHARD_INDEX" : "GTEST_TOTAL_SHARDS",
                                 has_index ? "GTEST_TOTAL_SHARDS" : "GTEST_SHARD_INDEX"));
  return checked(env_uint(env, "GTEST_SHARD_INDEX"), env_uint(env, "GTEST_TOTAL_SHARDS"),
                 "$GTEST_SHARD_INDEX/$GTEST_TOTAL_SHARDS");
}

void touch_shard_status_file(const GetEnv& env) {
  if (const char* path = env("GTEST_SHARD_STATUS_FILE"); path != nullptr && *path != '\0')
    std::ofstream(path, std::ios::app);
}

}  // namespace strain::cli
