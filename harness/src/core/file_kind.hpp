#pragma once
// What kind of file a path names, for the inputs strain reads (specs,
// plugins) and the reports it writes. Only regular files are read or
// replaced: a FIFO blocks a reader forever, /dev/zero never ends, and
// renaming a report over /dev/null replaces the device (issue 13).

#include <string>

namespace strain {

//! Empty when `path` (symlinks followed) is a regular file; else why not, as
//! a phrase that follows the path: "is a FIFO, not a regular file", "is a
//! directory, not a regular file", "cannot be read: Too many levels of
//! symbolic links".
std::string not_regular_file(const std::string& path);

//! The kind of a file mode as a noun phrase: "a FIFO", "a character device",
//! "a directory", "a socket", "a block device", "a regular file".
std::string file_kind(unsigned mode);

}  // namespace strain
