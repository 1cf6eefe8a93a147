#pragma once
// Combining the JSON reports of the shards of one run (`strain merge`) into
// the summary one unsharded run would have produced.

#include <string>
#include <vector>

#include "model/result.hpp"

namespace strain::report {

//! One input report and where it came from (for messages).
struct ReportFile {
  std::string path;
  model::RunSummary summary;
};

//! The merged summary: the cases of every input in the order of the
//! unsharded selection (repetition, then index). Throws UsageError with a
//! message naming the files when the inputs cannot be from one run:
//! different builds, strain versions, seeds, spec files (by hash), filters
//! or repeat counts; shards of different totals, a shard given twice or
//! missing, a case in two inputs, or fewer cases than the selection holds.
model::RunSummary merge_reports(const std::vector<ReportFile>& inputs);

}  // namespace strain::report
