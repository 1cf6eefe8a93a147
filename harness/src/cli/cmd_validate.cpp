// `strain validate`: checks spec files without running them, or explains a
// spec key.

#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/errors.hpp"
#include "spec/key_docs.hpp"

namespace strain::cli {

Action add_validate(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("validate", "Check spec files without running them");
  struct Flags {
    std::vector<std::string> specs;
    std::string explain;
    bool markdown = false;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("specs", f->specs, "spec files or folders");
  cmd->add_option("--explain", f->explain,
                  "print the documentation of a spec key (e.g. trials, schedule.strategy, "
                  "cases[].expect) instead of validating; 'all' prints every key")
      ->envname("STRAIN_EXPLAIN");
  cmd->add_flag("--markdown", f->markdown, "with --explain all: the Markdown table of docs/spec.md")
      ->envname("STRAIN_MARKDOWN");
  return [f, &g]() {
    if (!f->explain.empty()) {
      if (f->explain == "all") {
        if (f->markdown) {
          std::cout << spec::key_docs_markdown();
          return 0;
        }
        for (const auto& d : spec::key_docs()) std::cout << spec::explain(d) << "\n";
        return 0;
      }
      const auto found = spec::find_key_docs(f->explain);
      if (found.empty())
        throw UsageError("no spec key '" + f->explain +
                         "'; `strain validate --explain all` lists every key");
      for (std::size_t k = 0; k < found.size(); ++k)
        std::cout << (k ? "\n" : "") << spec::explain(*found[k]);
      return 0;
    }
    if (f->specs.empty())
      throw UsageError("validate: give spec files or folders, or --explain KEY");
    const auto catalog = load_catalog(g.plugin_path);
    for (const auto& s : load_specs(collect_spec_files(f->specs), catalog))
      std::cout << s.path << ": ok (" << s.cases.size() << " cases of plugin " << s.plugin << ")\n";
    return 0;
  };
}

}  // namespace strain::cli
