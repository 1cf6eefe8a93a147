// The public API stays small (docs/STYLE "a small public API"; issue 14):
// every file under harness/include/strain, read from the source tree, counted
// and printed as a table; the total must not pass kMaxLines.
//
// Issue 14 asks for at most 1,200 lines; they were 2,617, then 1,513 once
// the pool engine, the pthread wrappers and the primitives' bodies moved
// into strain_runtime, 1,462 once the RawMutex/RawCond operations went to
// runtime/raw_sync.hpp and pool/core.hpp was folded into process_pool.hpp,
// and 1,325 since a Context's state became opaque (runtime/abi_types.hpp's
// ContextData; point() stays inline), Atomic's schedule point and memory
// model calls went out of line, copy deletions the members imply were
// dropped and the comments were wrapped at the 100-column limit. kMaxLines
// is a ratchet at today's size: it stops the headers from growing back
// while the rest is cut (lower it with each cut; kGoal is where it ends).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr std::size_t kMaxLines = 1325;
constexpr std::size_t kGoal = 1200;

std::size_t count_lines(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::size_t lines = 0;
  std::string line;
  while (std::getline(in, line)) ++lines;  // as wc -l, plus a last line without '\n'
  return lines;
}

TEST(PublicHeaders, NoLongerThanTheRatchetAndCountedTowardsTheGoal) {
  const std::filesystem::path root = STRAIN_PUBLIC_INCLUDE_DIR;
  ASSERT_TRUE(std::filesystem::is_directory(root / "strain")) << root;
  std::vector<std::pair<std::string, std::size_t>> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root / "strain"))
    if (entry.is_regular_file())
      files.emplace_back(std::filesystem::relative(entry.path(), root).string(),
                         count_lines(entry.path()));
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());

  std::size_t total = 0;
  std::printf("%-32s %6s\n", "public header", "lines");
  for (const auto& [name, lines] : files) {
    std::printf("%-32s %6zu\n", name.c_str(), lines);
    total += lines;
  }
  std::printf("%-32s %6zu (at most %zu; the goal: %zu, %zd to go)\n", "total", total, kMaxLines,
              kGoal, static_cast<std::ptrdiff_t>(total) - static_cast<std::ptrdiff_t>(kGoal));
  EXPECT_LE(total, kMaxLines) << "the public headers grew past " << kMaxLines
                              << " lines: move what a plugin author does not use to "
                                 "harness/src (host) or harness/src/runtime";
}

}  // namespace
