// libFuzzer target: the run plan a worker is handed on its command line
// (model/run_plan.hpp). Text parses to a plan or is refused with an error
// that names the field; a plan writes and reads back to itself.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "model/run_plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  strain::model::RunPlan plan;
  try {
    plan = strain::model::run_plan_from_json(text);
  } catch (const std::runtime_error&) {
    return 0;  // refused: the only way a bad plan may end
  }
  const std::string once = strain::model::to_json(plan);
  const std::string twice = strain::model::to_json(strain::model::run_plan_from_json(once));
  if (once != twice) __builtin_trap();  // what we write we must read
  return 0;
}
