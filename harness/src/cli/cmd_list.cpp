// `strain list`.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/errors.hpp"

namespace strain::cli {

namespace {

struct CtestNeeds {
  std::uint64_t timeout_s = 0;
  std::uint64_t processors = 1;
};

// What a case's CTest test needs. Its longest run: the budget, then a trial
// that started just before the budget ran out and hangs until the watchdog
// (the timeout), its stacks collected, plus a minute for the worker's start
// and the plugins' probe on a loaded machine. Its processors: one per role
// thread or process, which spin together from the start barrier, so that
// `ctest -j` does not run two stress cases on the same cores.
CtestNeeds ctest_needs(const spec::Case& c) {
  const double longest = c.schedule.budget_s + 2 * c.schedule.timeout_s + 60;
  std::uint64_t roles = 0;
  for (const int n : c.schedule.role_counts) roles += static_cast<std::uint64_t>(std::max(n, 0));
  return {static_cast<std::uint64_t>(std::ceil(longest)), std::max<std::uint64_t>(roles, 1)};
}

}  // namespace

Action add_list(CLI::App& app, const Global& g) {
  auto* cmd = app.add_subcommand("list", "List the case ids of spec files or folders");
  struct Flags {
    std::vector<std::string> specs;
    std::string filter;
    bool ids_only = false;
    bool ctest = false;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("specs", f->specs, "spec files or folders")->required();
  cmd->add_option("--filter", f->filter, "list only cases whose id matches")
      ->envname("STRAIN_FILTER");
  cmd->add_flag("--ids", f->ids_only, "print only the ids, one a line (for scripts)")
      ->envname("STRAIN_IDS");
  cmd->add_flag("--ctest", f->ctest,
                "print each id with the TIMEOUT and PROCESSORS its CTest test needs, tab-separated "
                "(for strain_add_spec_test)")
      ->envname("STRAIN_CTEST");
  return [f, &g]() {
    const auto catalog = load_catalog(g.plugin_path);
    for (const auto& s : load_specs(collect_spec_files(f->specs), catalog))
      for (const auto& c : s.cases) {
        if (!matches_filter(c.id, f->filter)) continue;
        std::cout << c.id;
        if (f->ctest) {
          const CtestNeeds n = ctest_needs(c);
          std::cout << '\t' << n.timeout_s << '\t' << n.processors << '\n';
          continue;
        }
        if (!f->ids_only)
          std::cout << "  (expect " << model::to_string(c.expect.for_build(tsan_build())) << ")";
        std::cout << "\n";
      }
    return 0;
  };
}

}  // namespace strain::cli
