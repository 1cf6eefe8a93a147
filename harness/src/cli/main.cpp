// strain: runs stress specs on concurrency scenario plugins.
//
// Exit codes: see cli/exit_codes.hpp (and `strain --help`).

#include <fmt/format.h>

#include <iostream>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "core/errors.hpp"
#include "report/format.hpp"
#include "spec/diagnostic.hpp"

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
