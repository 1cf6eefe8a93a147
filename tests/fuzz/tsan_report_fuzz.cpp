// libFuzzer target: the ThreadSanitizer report parser and the streaming
// collector, which read whatever a plugin's worker printed.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tsan/report_parser.hpp"
#include "tsan/report_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& r : strain::tsan::parse_reports(text)) (void)strain::tsan::brief(r);
  // The same bytes in uneven reads, as a pipe delivers them.
  strain::tsan::ReportStream stream;
  for (std::size_t at = 0, step = 1; at < text.size(); at += step, step = step * 3 % 61 + 1)
    stream.add(text.substr(at, step));
  stream.finish();
  auto found = stream.take();
  strain::tsan::keep_real(found, size % 4);
  return 0;
}
