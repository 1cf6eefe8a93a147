// The public API stays small (docs/STYLE "a small public API"; issue 14):
// every file under harness/include/strain, read from the source tree, counted
// and printed as a table; the total must not pass kMaxLines.
//
// Issue 14 asks for at most 1,200 lines. They were 2,617; 1,513 once the pool engine, the pthread
// wrappers and the primitives' bodies moved into strain_runtime; 1,462 once the RawMutex/RawCond
// operations went to runtime/raw_sync.hpp; 1,325 once a Context's state became opaque
// (runtime/abi_types.hpp's ContextData; point() stays inline) and Atomic's schedule point and
// memory-model calls went out of line; 1,199 since site.hpp, schedule.hpp and test.hpp were
// folded into context.hpp and plugin.hpp (and abi.hpp into scenario.hpp), Rng's seeding, the
// timed waits and the descriptor's construction went out of line or into one function, and Queue
// took QueueCore's untyped operations as its base. The limit stops the headers from growing back:
// what a plugin author does not read belongs in harness/src/runtime.

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

constexpr std::size_t kMaxLines = 1200;

std::size_t count_lines(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::size_t lines = 0;
  std::string line;
  while (std::getline(in, line)) ++lines;  // as wc -l, plus a last line without '\n'
  return lines;
}

TEST(PublicHeaders, AreCountedAndAtMost1200Lines) {
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
  std::printf("%-32s %6zu (at most %zu)\n", "total", total, kMaxLines);
  EXPECT_LE(total, kMaxLines) << "the public headers grew past " << kMaxLines
                              << " lines: move what a plugin author does not use to "
                                 "harness/src (host) or harness/src/runtime";
}

}  // namespace
