// `strain merge`: the JSON reports of a run's shards, combined into the
// reports one unsharded run would have written.

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "report/json_read.hpp"
#include "report/merge.hpp"

namespace strain::cli {

Action add_merge(CLI::App& app, const Global&) {
  auto* cmd = app.add_subcommand(
      "merge",
      "Combine the JSON reports of the shards of one run (--shard, $GTEST_SHARD_INDEX, "
      "$JOB_COMPLETION_INDEX) into reports of the whole run; refuses reports of different runs");
  struct Flags {
    std::vector<std::string> inputs;
    std::vector<std::string> reports;
    OutputFlags output;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("reports", f->inputs, "JSON reports (--report json:PATH) of the shards")
      ->required()
      ->check(CLI::ExistingFile);
  add_report_option(*cmd, f->reports);
  add_output_options(*cmd, f->output);
  return [f]() {
    std::vector<report::ReportFile> inputs;
    for (const auto& path : f->inputs) inputs.push_back({path, report::read_json_report(path)});
    const model::RunSummary merged = report::merge_reports(inputs);
    report::Fanout rep = make_reporters(f->output, f->reports, f->inputs, /*merged=*/true);
    model::RunInfo info{merged.build, merged.seed,      merged.seed_overridden,
                        {},           merged.timestamp, merged.selection};
    info.seed_per_spec = merged.seed_per_spec;
    for (const auto& r : merged.results) info.case_ids.push_back(r.id);
    rep.run_started(info);
    for (const auto& r : merged.results) rep.case_finished(r);
    if (!finish_reports(rep, merged)) return kExitUsage;
    return merged.all_met() ? kExitMet : kExitUnmet;
  };
}

}  // namespace strain::cli
