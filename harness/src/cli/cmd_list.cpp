// `strain list` and `strain validate`.

#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"

namespace strain::cli {

Action add_list(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("list", "List the case ids of spec files or folders");
  struct Flags {
    std::vector<std::string> specs;
    std::string filter;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("specs", f->specs, "spec files or folders")->required();
  cmd->add_option("--filter", f->filter, "list only cases whose id matches");
  return [f, &g]() {
    const auto catalog = load_catalog(g.plugin_path);
    for (const auto& s : load_specs(collect_spec_files(f->specs), catalog))
      for (const auto& c : s.cases)
        if (matches_filter(c.id, f->filter))
          std::cout << c.id << "  (expect " << check::to_string(c.expect.for_build(tsan_build()))
                    << ")\n";
    return 0;
  };
}

Action add_validate(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("validate", "Check spec files without running them");
  auto specs = std::make_shared<std::vector<std::string>>();
  cmd->add_option("specs", *specs, "spec files or folders")->required();
  return [specs, &g]() {
    const auto catalog = load_catalog(g.plugin_path);
    for (const auto& s : load_specs(collect_spec_files(*specs), catalog))
      std::cout << s.path << ": ok (" << s.cases.size() << " cases of plugin " << s.plugin << ")\n";
    return 0;
  };
}

}  // namespace strain::cli
