#pragma once
// Whether strain may write a file it was asked to write (a report, a trace),
// decided before anything runs, so that a bad path costs nothing but the
// message: before issue 13 a report to a directory or an unwritable place
// aborted strain after every case had run and lost every result, a report to
// a device node replaced the device with a regular file, and a report named
// like the spec overwrote the spec.

#include <string>
#include <vector>

namespace strain {

//! Throws UsageError unless `path` may be written: it is absent or a regular
//! file (symlinks followed), it is none of `inputs` (the files the command
//! reads: specs, plugins, merged reports), and a file can be created in its
//! folder (created if missing, as the writer would). `what` names the flag
//! in the message, e.g. "--report json:out.json".
void check_output_path(const std::string& path, const std::vector<std::string>& inputs,
                       const std::string& what);

}  // namespace strain
