// libFuzzer target: the JSON report reader behind `strain merge`. Any text
// becomes a summary or a UsageError naming the field, never a crash.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/errors.hpp"
#include "report/json_read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)strain::report::parse_json_report(text, "fuzz.json");
  } catch (const strain::UsageError&) {
  }
  return 0;
}
