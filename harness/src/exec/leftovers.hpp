#pragma once
// Ending what a case leaves behind: the worker's process group, and every
// process a plugin started that outlived its parent (issue 13: a daemonised
// child of a plugin outlived the run, and one holding the worker's stdout
// kept its case open for 101 s against a 10 s budget).

#include <sys/types.h>

#include <vector>

namespace strain::exec {

//! Makes this process a subreaper (PR_SET_CHILD_SUBREAPER), once: orphans of
//! its descendants are re-parented to it instead of to init.
void become_subreaper();

//! Every child of this process, read from /proc, but the one spared.
std::vector<pid_t> own_children();

//! A child the sweep leaves alone (the worker zygote); -1 for none.
void spare_from_leftovers(pid_t child);

//! Kills the process group `worker_pgid` and every child of this process
//! (one re-parented to it included), reaping each, until none is left.
//! Call it once the worker is reaped and no other child may live.
void end_leftovers(pid_t worker_pgid);

}  // namespace strain::exec
