// `strain plugins`: what each plugin on the path offers, and what was skipped.

#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"

namespace strain::cli {

namespace {

void print(const plugin::ScenarioInfo& s) {
  std::cout << s.name << "  (" << s.library_path << ")\n";
  if (!s.doc.empty()) std::cout << "  " << s.doc << "\n";
  std::cout << "  roles:\n";
  for (const auto& r : s.roles)
    std::cout << "    " << r.name << (r.doc.empty() ? "" : "  - " + r.doc) << "\n";
  std::cout << "  params:\n";
  for (const auto& p : s.params) {
    std::cout << "    " << p.name << ": " << plugin::to_string(p.type) << " = "
              << p.default_value.str();
    if (!p.allowed.empty()) {
      std::cout << " (one of:";
      for (const auto& a : p.allowed) std::cout << " " << a.str();
      std::cout << ")";
    }
    std::cout << (p.doc.empty() ? "" : "  - " + p.doc) << "\n";
  }
  std::cout << "  metrics:\n";
  for (const auto& m : s.metrics)
    std::cout << "    " << m.name << (m.doc.empty() ? "" : "  - " + m.doc) << "\n";
}

}  // namespace

Action add_plugins(CLI::App& app, const Global& g) {
  app.add_subcommand("plugins",
                     "List the scenarios on the plugin path, with roles, params and metrics");
  return [&g]() {
    const auto catalog = load_catalog(g.plugin_path);
    for (const auto& s : catalog.scenarios) print(s);
    for (const auto& p : catalog.problems)
      std::cerr << "skipped " << p.path << ": " << p.message << "\n";
    if (catalog.scenarios.empty()) std::cout << "no scenarios found\n";
    return 0;
  };
}

}  // namespace strain::cli
