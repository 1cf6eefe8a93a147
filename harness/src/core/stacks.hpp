#pragma once
// The stacks of threads that are stuck, for a hang report.

#include <pthread.h>

#include <string>
#include <vector>

namespace strain {

//! Interrupts each thread with a signal whose handler records its stack,
//! waits up to `wait_s` for them, and symbolizes the frames (function and
//! file:line where debug info has them, through libdw). Only the frames
//! that say where the thread is are kept: the C library's it waits in and
//! the plugin's, not strain's nor the thread's start. A thread that does
//! not answer (it blocks signals, or is in an uninterruptible wait) gets a
//! line saying so.
std::vector<std::string> capture_stacks(const std::vector<pthread_t>& threads, double wait_s = 1.0);

//! Symbolizes frames recorded by backtrace() on the thread itself, one line
//! each (plus one per function inlined there). `plugin_only` keeps only the
//! plugin's frames: it skips the host's leading frames (the code that
//! recorded them) and stops at the host's frame that called the plugin.
std::string symbolize_frames(void* const* frames, int depth, bool plugin_only);

}  // namespace strain
