#include "exec/replay_command.hpp"

#include <filesystem>
#include <system_error>

#include "core/shell_quote.hpp"

namespace strain::exec {

std::string replay_command(const spec::Case& c, std::uint64_t spec_seed, std::uint64_t trial,
                           std::uint64_t steps, const std::vector<std::string>& prefix) {
  std::vector<std::string> words = prefix;
  if (words.empty()) words.emplace_back("strain");
  // The spec's absolute path: the line is pasted from a CI log or a ctest
  // run whose working folder is not the reader's.
  std::error_code ec;
  std::filesystem::path spec = std::filesystem::absolute(c.spec_path, ec);
  if (ec) spec = c.spec_path;
  words.insert(words.end(), {"replay", c.id, "--seed", std::to_string(spec_seed), "--trial",
                             std::to_string(trial), "--spec", spec.lexically_normal().string()});
  if (steps > 0) words.insert(words.end(), {"--steps", std::to_string(steps)});
  // A run's --strategy replaced the spec's: the replay must name it too.
  if (!c.strategy_flag.empty()) words.insert(words.end(), {"--strategy", c.strategy_flag});
  if (c.fibers_flag != 0) words.push_back(c.fibers_flag > 0 ? "--fibers" : "--no-fibers");
  return shell_join(words);
}

}  // namespace strain::exec
