#pragma once
// Messages a case's worker process sends its parent, one JSON object per line
// on the result pipe. Counters do not travel here (see live_counters.hpp):
// only the first failure, as soon as it happens, and the final result.

#include <string>
#include <string_view>

#include "model/result.hpp"

namespace strain::exec {

struct WorkerMessage {
  enum class Type { failure, result };
  Type type = Type::result;
  model::TrialFailure failure;  // type == failure
  model::CaseResult result;     // type == result
};

//! One line (with '\n') announcing the first failure.
std::string encode_failure(const model::TrialFailure& f);

//! One line (with '\n') carrying the whole result.
std::string encode_result(const model::CaseResult& r);

//! Parses a line; false, and `out` left as it was, when it is not a
//! well-formed message.
bool decode(std::string_view line, WorkerMessage& out);

//! decode(), or, when bytes a plugin wrote to the pipe came before the
//! message on its line, decode() of the line from the message's start.
bool decode_line(std::string_view line, WorkerMessage& out);

}  // namespace strain::exec
