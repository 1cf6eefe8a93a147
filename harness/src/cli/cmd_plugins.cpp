// `strain plugins`: what each plugin on the path offers, and what was skipped.

#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "report/format.hpp"

namespace strain::cli {

namespace {

// Every string here comes from a plugin (or its path): printed on one line
// each, with control characters spelled out, so a plugin's declaration
// cannot move the cursor or fake lines of the listing.
void print(const plugin::ScenarioInfo& s) {
  using report::printable_line;
  const auto doc = [](const std::string& d) { return d.empty() ? "" : "  - " + printable_line(d); };
  std::cout << printable_line(s.name) << "  (" << printable_line(s.library_path) << ")\n";
  if (!s.doc.empty()) std::cout << "  " << printable_line(s.doc) << "\n";
  std::cout << "  roles:\n";
  for (const auto& r : s.roles)
    std::cout << "    " << printable_line(r.name)
              << (r.min_instances > 1 ? " (at least " + std::to_string(r.min_instances) + ")"
                                      : std::string())
              << doc(r.doc) << "\n";
  std::cout << "  params:\n";
  for (const auto& p : s.params) {
    std::cout << "    " << printable_line(p.name) << ": " << plugin::to_string(p.type) << " = "
              << printable_line(p.default_value.str());
    if (!p.allowed.empty()) {
      std::cout << " (one of:";
      for (const auto& a : p.allowed) std::cout << " " << printable_line(a.str());
      std::cout << ")";
    }
    std::cout << doc(p.doc) << "\n";
  }
  std::cout << "  metrics:\n";
  for (const auto& m : s.metrics)
    std::cout << "    " << printable_line(m.name) << doc(m.doc) << "\n";
  // What decides whether controlled runs the roles as fibers by default.
  if (s.thread_locals.bytes > 0)
    std::cout << "  thread_local data: " << s.thread_locals.bytes << " bytes, in "
              << printable_line(s.thread_locals.where)
              << " (controlled runs the roles as threads unless the spec asks for fibers)\n";
}

}  // namespace

Action add_plugins(CLI::App& app, const Global& g) {
  app.add_subcommand("plugins",
                     "List the scenarios on the plugin path, with roles, params and metrics");
  return [&g]() {
    const auto catalog = load_catalog(g.plugin_path);
    for (const auto& s : catalog.scenarios) print(s);
    for (const auto& p : catalog.problems)
      std::cerr << "skipped " << report::printable_line(p.path) << ": "
                << report::printable(p.message) << "\n";
    if (catalog.scenarios.empty()) std::cout << "no scenarios found\n";
    return 0;
  };
}

}  // namespace strain::cli
