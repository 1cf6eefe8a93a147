// libFuzzer target: the decoder of the worker's result pipe, which also sees
// whatever plugin code writes to that descriptor. A line decodes to a message
// or is dropped; a decoded result encodes and decodes back to itself.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exec/worker_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using strain::exec::WorkerMessage;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  WorkerMessage m;
  if (!strain::exec::decode_line(text, m)) return 0;
  const std::string again = m.type == WorkerMessage::Type::result
                                ? strain::exec::encode_result(m.result)
                                : strain::exec::encode_failure(m.failure);
  WorkerMessage back;
  if (!strain::exec::decode(std::string_view(again).substr(0, again.size() - 1), back))
    __builtin_trap();  // what we write we must read
  if (back.type != m.type || back.result.trials != m.result.trials) __builtin_trap();
  return 0;
}
