// The README's usage block, run as a reader would: every command in it must
// be accepted (exit 0 or 1, never 2, the usage error), so an example that
// names a case id or a flag that no longer exists fails here first.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "run_strain.hpp"

namespace {

using namespace strain_test;

// The commands of the first ```sh block after "## Using strain", with
// backslash-continued lines joined and the `B=...` line left out (the test
// sets B to the binary under test).
std::vector<std::string> usage_commands() {
  const std::string readme = read_text(kSrc + "/README.md");
  const std::size_t section = readme.find("\n## Using strain\n");
  if (section == std::string::npos) return {};
  const std::size_t open = readme.find("```sh\n", section);
  const std::size_t close = readme.find("\n```", open + 6);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::vector<std::string> out;
  std::string pending;
  std::size_t start = open + 6;
  while (start < close) {
    const std::size_t end = std::min(readme.find('\n', start), close);
    std::string line = readme.substr(start, end - start);
    start = end + 1;
    const bool continued = !line.empty() && line.back() == '\\';
    if (continued) line.pop_back();
    pending += line;
    if (continued) continue;
    if (pending.find_first_not_of(' ') != std::string::npos && pending.rfind("B=", 0) != 0)
      out.push_back(pending);
    pending.clear();
  }
  return out;
}

TEST(Readme, EveryCommandOfTheUsageBlockIsAccepted) {
  const std::vector<std::string> commands = usage_commands();
  ASSERT_GE(commands.size(), 10u) << "README.md has no usage block under \"## Using strain\"";
  // A scratch folder with the shipped specs, where the commands' outputs
  // (reports, shard files, a scaffold, a trace) land.
  const std::string dir = kWork + "/readme";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::create_directory_symlink(kSrc + "/specs", dir + "/specs");
  for (const auto& command : commands) {
    SCOPED_TRACE(command);
    EXPECT_EQ(command.rfind("$B ", 0), 0u) << "every command runs strain";
    // Quick intensity: the test is about what strain accepts, not about
    // finding every bug, and the shipped specs take minutes at full length.
    const Result r =
        shell("cd '" + dir + "' && export B='" + kBin + "' STRAIN_INTENSITY=quick && " + command);
    EXPECT_TRUE(r.code == 0 || r.code == 1) << "exit " << r.code << "\n" << r.out << r.err;
  }
}

}  // namespace
