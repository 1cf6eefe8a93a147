// strain: runs stress specs on concurrency scenario plugins.
//
// Exit codes: see cli/exit_codes.hpp (and `strain --help`).

#include <fmt/format.h>

#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/suggest.hpp"
#include "core/errors.hpp"
#include "report/format.hpp"
#include "spec/diagnostic.hpp"

namespace {

// The first word on the command line that is neither a flag nor a flag's
// value: what should name the command.
std::optional<std::string> first_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--plugin-path") {
      ++i;  // its value
      continue;
    }
    if (a.starts_with("-")) continue;
    return std::string(a);
  }
  return std::nullopt;
}

std::vector<std::string> command_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands({}))
    if (!sub->get_group().empty()) names.push_back(sub->get_name());  // hidden ones have no group
  return names;
}

bool known_command(CLI::App& app, const std::string& word) {
  for (const auto* sub : app.get_subcommands({}))
    if (sub->get_name() == word) return true;
  return false;
}

// CLI11 would say "A subcommand is required" about `strain rnu`: name the
// word, and the command it is a typo of, as git does.
void print_unknown_command(CLI::App& app, const std::string& word) {
  const std::vector<std::string> names = command_names(app);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  std::cerr << "strain: '" << word << "' is not a strain command";
  if (const auto near = strain::cli::closest(word, names))
    std::cerr << "; did you mean `" << *near << "`?";
  std::cerr << "\ncommands: " << list << " (see strain --help)\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace strain::cli;
  CLI::App app{"strain: stress-testing and race detection for C++ concurrency plugins", "strain"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "strain " STRAIN_VERSION);
  std::string footer =
      "Every flag can also be set by an environment variable, STRAIN_<FLAG> (e.g. "
      "STRAIN_SEED=7, STRAIN_QUIET=1, STRAIN_REPORT='json:a.json html:a.html'; each "
      "command's --help names them as Env:); the command line wins. See docs/cli.md.\n\n"
      "Exit codes:\n";
  for (const auto& e : kExitCodes) footer += fmt::format("  {:>3}  {}\n", e.code, e.meaning);
  app.footer(footer);
  // Global flags may come after the command too (`strain run spec.yaml
  // --plugin-path P`), as with git -C or ctest: an option a subcommand does
  // not know falls through to the app. Set before the subcommands are
  // added, which inherit it.
  app.fallthrough();
  Global g;
  app.add_option("--plugin-path", g.plugin_path,
                 "':'-separated plugin folders or files (default: the build's or the "
                 "installation's plugin folder) (Env:STRAIN_PLUGIN_PATH)");

  std::vector<std::pair<CLI::App*, Action>> actions;
  const auto sub = [&](Action (*add)(CLI::App&, const Global&)) {
    const std::size_t before = app.get_subcommands({}).size();
    Action a = add(app, g);
    actions.emplace_back(app.get_subcommands({})[before], std::move(a));
  };
  sub(&add_run);
  sub(&add_replay);
  sub(&add_list);
  sub(&add_validate);
  sub(&add_plugins);
  sub(&add_merge);
  sub(&add_new);
  sub(&add_worker);
  sub(&add_zygote);

  if (const auto word = first_word(argc, argv); word && !known_command(app, *word)) {
    print_unknown_command(app, *word);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitMet : kExitUsage;
  }
  try {
    for (auto& [cmd, action] : actions)
      if (cmd->parsed()) return action();
  } catch (const strain::spec::SpecError& e) {
    // A diagnostic quotes what the spec holds, which may be any bytes: one
    // line each, control characters spelled out.
    for (const auto& d : e.diagnostics())
      std::cerr << strain::report::printable_line(d.str()) << "\n";
    std::cerr << "strain: " << e.diagnostics().size() << " error(s) in spec(s); nothing was run\n";
    return kExitUsage;
  } catch (const strain::UsageError& e) {
    std::cerr << "strain: " << strain::report::printable(e.what()) << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}
