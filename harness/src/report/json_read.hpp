#pragma once
// Reading a JSON report (format 1, as report/json.cpp writes it) back into
// the summary every reporter takes, for `strain merge`.

#include <string>
#include <string_view>

#include "model/result.hpp"

namespace strain::report {

//! Parses the text of a JSON report. `path` names it in errors. Throws
//! UsageError naming the path and the field for anything malformed, and for
//! a format this strain does not read. Case fields it does not know are
//! kept in CaseResult::extra_fields.
model::RunSummary parse_json_report(std::string_view text, const std::string& path);

//! Reads and parses the report at `path`.
model::RunSummary read_json_report(const std::string& path);

}  // namespace strain::report
