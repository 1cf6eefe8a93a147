#pragma once
// Writing a report so that a reader never sees half of it.

#include <string>
#include <string_view>

namespace strain {

//! Writes `content` to a temporary file beside `path`, flushes it to disk and
//! renames it over `path`. Throws std::runtime_error with the path and the
//! system's reason on failure; `path` is then untouched.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace strain
