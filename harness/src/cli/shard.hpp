#pragma once
// Sharding as CI systems already do it: gtest's environment variables (set by
// Bazel test sharding and many CI matrices), a Kubernetes Indexed Job's
// completion index, or an explicit --shard I/N. A case belongs to shard I of
// N when its index in the selection is I modulo N, as in googletest.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model/result.hpp"

namespace strain::cli {

//! Reads an environment variable; null when unset. Tests pass their own.
using GetEnv = std::function<const char*(const char*)>;

//! The flags a user may give; empty/unset when not given.
struct ShardFlags {
  std::string shard;                    // --shard I/N (or $STRAIN_SHARD)
  std::optional<std::uint64_t> shards;  // --shards N (or $STRAIN_SHARDS)
};

//! "I/N" with 0 <= I < N. Throws UsageError naming `what` otherwise.
model::Shard parse_shard(std::string_view text, std::string_view what);

//! The shard this run is, from (first that applies): --shard I/N;
//! --shards N with $JOB_COMPLETION_INDEX; $GTEST_SHARD_INDEX with
//! $GTEST_TOTAL_SHARDS. None when nothing asks for sharding. Throws
//! UsageError for a malformed or inconsistent request.
std::optional<model::Shard> resolve_shard(const ShardFlags& flags, const GetEnv& env);

//! Whether the case at `index` of the selection runs in `shard`.
constexpr bool in_shard(std::uint64_t index, const std::optional<model::Shard>& shard) {
  return !shard || index % shard->total == shard->index;
}

//! Tells a test runner that honours gtest's protocol (Bazel) that this
//! program shards: touches $GTEST_SHARD_STATUS_FILE when it is set.
void touch_shard_status_file(const GetEnv& env);

}  // namespace strain::cli
