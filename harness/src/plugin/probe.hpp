#pragma once
// Trying plugin files in a child process before the host loads them: a
// plugin whose static constructors or declare() crash, abort, exit or hang
// would otherwise take down every command that merely lists the plugin path.

#include <chrono>
#include <string>
#include <vector>

namespace strain::plugin {

//! Loads and describes each of `files` in a forked child (as load_library()
//! would) and returns, parallel to `files`, an empty string for a file that
//! loaded and described itself and returned, else why it is unsafe:
//! "crashed while loading: SIGSEGV (Segmentation fault)", "exited with
//! status 3 while loading", "hung while loading (killed after 20 s)".
//! Problems load_library() reports itself (not a library, ABI mismatch) are
//! not this function's business: such a file probes as safe.
//!
//! One child probes every file in turn and reports each one done, so the
//! usual cost is one fork; after a crash a new child takes up from the next
//! file. It must be called while the process has a single thread: forking a
//! threaded process (and, under ThreadSanitizer, running one after) is not
//! safe, and discovery happens before any thread is started.
std::vector<std::string> probe_libraries(
    const std::vector<std::string>& files,
    std::chrono::milliseconds per_file_limit = std::chrono::seconds(20));

}  // namespace strain::plugin
